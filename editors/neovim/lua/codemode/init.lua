-- codemode for Neovim: run an agent script through the language server and show what it did
-- (a scratch buffer with the whole run, virtual text at each line that logged or called a
-- tool, cleared on the next edit), and read `codemode:` documents (the generated API).

local M = {}

local ns = vim.api.nvim_create_namespace('codemode_run')
--- The last report of each buffer, for the "last run" lens and :CodemodeRun's buffer.
local last = {}

local function client_for(bufnr)
  local clients = vim.lsp.get_clients({ bufnr = bufnr, name = 'codemode' })
  if #clients == 0 and bufnr == nil then
    clients = vim.lsp.get_clients({ name = 'codemode' })
  end
  return clients[1]
end

--- What the server wrote about a run (`report.view`: `headline`, per-line `notes`, `lines`);
--- this plugin only draws it.
local function view_of(report)
  local view = type(report.view) == 'table' and report.view or {}
  return {
    headline = view.headline or '',
    notes = view.notes or {},
    lines = view.lines or {},
  }
end

--- One line about a run, as the server wrote it.
function M.summary(report)
  return view_of(report).headline
end

--- Draws `report` in `bufnr` (virtual text) and in the run buffer.
function M.show(bufnr, report)
  last[bufnr] = report
  vim.api.nvim_buf_clear_namespace(bufnr, ns, 0, -1)
  local count = vim.api.nvim_buf_line_count(bufnr)
  for _, note in ipairs(view_of(report).notes) do
    if note.line >= 0 and note.line < count then
      vim.api.nvim_buf_set_extmark(bufnr, ns, note.line, 0, {
        virt_text = { { '→ ' .. note.text, note.error and 'DiagnosticError' or 'Comment' } },
        virt_text_pos = 'eol',
        hl_mode = 'combine',
      })
    end
  end
  -- Cleared on the next edit: the notes belong to the text that ran.
  vim.api.nvim_create_autocmd({ 'TextChanged', 'TextChangedI' }, {
    buffer = bufnr,
    once = true,
    callback = function()
      vim.api.nvim_buf_clear_namespace(bufnr, ns, 0, -1)
    end,
  })
  M.show_last(bufnr)
end

--- Shows the last run of `bufnr` in the `codemode://run` scratch buffer, in a split.
function M.show_last(bufnr)
  local report = last[bufnr]
  if not report then
    vim.notify('codemode: this script has not been run yet (:CodemodeRun)', vim.log.levels.INFO)
    return
  end
  local name = 'codemode://run/' .. vim.fn.fnamemodify(vim.api.nvim_buf_get_name(bufnr), ':t')
  local out = vim.fn.bufnr(name)
  if out == -1 then
    out = vim.api.nvim_create_buf(false, true)
    vim.api.nvim_buf_set_name(out, name)
    vim.bo[out].buftype = 'nofile'
    vim.bo[out].bufhidden = 'hide'
    vim.bo[out].swapfile = false
  end
  vim.bo[out].modifiable = true
  vim.api.nvim_buf_set_lines(out, 0, -1, false, view_of(report).lines)
  vim.bo[out].modifiable = false
  if vim.fn.bufwinid(out) == -1 then
    local current = vim.api.nvim_get_current_win()
    vim.cmd('botright 10split')
    vim.api.nvim_win_set_buf(0, out)
    vim.api.nvim_set_current_win(current)
  end
end

--- Checks and runs the agent script in `bufnr` (its current text) through the server.
function M.run(bufnr)
  bufnr = (bufnr == nil or bufnr == 0) and vim.api.nvim_get_current_buf() or bufnr
  local client = client_for(bufnr)
  if not client then
    vim.notify('codemode: no codemode language server in this buffer (is it an agent script, *.mcp.ts?)', vim.log.levels.ERROR)
    return
  end
  vim.notify('codemode: running…', vim.log.levels.INFO)
  client:request('workspace/executeCommand', {
    command = 'codemode.run',
    arguments = { vim.uri_from_bufnr(bufnr) },
  }, function(err, report)
    if err then
      vim.notify('codemode: ' .. err.message, vim.log.levels.ERROR)
      return
    end
    if type(report) ~= 'table' then
      return
    end
    M.show(bufnr, report)
    vim.notify('codemode: ' .. M.summary(report), report.ok and vim.log.levels.INFO or vim.log.levels.WARN)
  end, bufnr)
end

--- Opens the generated API as a read-only buffer.
function M.types()
  vim.cmd.edit('codemode:/api.d.ts')
end

--- Fills `bufnr`, named `uri` (`codemode:/...`), from the server's codemode/virtualTextDocument.
function M.read_virtual(bufnr, uri)
  local client = client_for(nil)
  local lines
  if not client then
    lines = { '// codemode: no codemode language server is running (open an agent script first).' }
  else
    local answer, err = client:request_sync('codemode/virtualTextDocument', { uri = uri }, 10000)
    if answer and answer.result then
      lines = vim.split(answer.result.text, '\n', { plain = true })
    else
      local message = (answer and answer.err and answer.err.message) or err or 'no answer'
      lines = { '// codemode: cannot read ' .. uri .. ': ' .. tostring(message) }
    end
  end
  vim.bo[bufnr].modifiable = true
  vim.api.nvim_buf_set_lines(bufnr, 0, -1, false, lines)
  vim.bo[bufnr].buftype = 'nofile'
  vim.bo[bufnr].swapfile = false
  vim.bo[bufnr].modifiable = false
  vim.bo[bufnr].readonly = true
  vim.bo[bufnr].filetype = 'typescript'
end

return M
