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

local function one_line(text)
  return (tostring(text):gsub('%s*\n%s*', ' ⏎ '))
end

local function shorten(text, max)
  if vim.fn.strchars(text) <= max then
    return text
  end
  return vim.fn.strcharpart(text, 0, max - 1) .. '…'
end

--- What each line did: `{ [line] = { entries..., error = bool } }`, lines 1-based.
function M.line_notes(report)
  local notes = {}
  local function at(line)
    notes[line] = notes[line] or { entries = {}, error = false }
    return notes[line]
  end
  for _, log in ipairs(report.logs or {}) do
    if log.line then
      local prefix = (log.level == 'warn' and 'warn: ') or (log.level == 'error' and 'error: ') or ''
      table.insert(at(log.line).entries, prefix .. one_line(log.text))
    end
  end
  for _, call in ipairs(report.toolCalls or {}) do
    if call.line then
      table.insert(
        at(call.line).entries,
        string.format('%s.%s %d ms%s', call.server, call.tool, call.ms, call.ok and '' or ' ✗')
      )
    end
  end
  local err = report.error
  if type(err) == 'table' and err.line and err.kind ~= 'type' then
    local note = at(err.line)
    table.insert(note.entries, string.format('✗ %s: %s', err.kind, one_line(err.message)))
    note.error = true
  end
  return notes
end

--- `a · a · b` as `a ×2 · b`, at most four distinct entries.
function M.collapse(entries)
  local counted, order = {}, {}
  for _, entry in ipairs(entries) do
    if not counted[entry] then
      table.insert(order, entry)
    end
    counted[entry] = (counted[entry] or 0) + 1
  end
  local shown = {}
  for i, entry in ipairs(order) do
    if i > 4 then
      table.insert(shown, string.format('… %d more', #order - 4))
      break
    end
    table.insert(shown, counted[entry] > 1 and string.format('%s ×%d', entry, counted[entry]) or entry)
  end
  return table.concat(shown, ' · ')
end

--- One line about a run.
function M.summary(report)
  if type(report.error) == 'table' then
    return string.format('✗ %s: %s', report.error.kind, shorten(one_line(report.error.message), 120))
  end
  local calls = #(report.toolCalls or {})
  return string.format('✓ %d tool call%s · %d ms', calls, calls == 1 and '' or 's', report.durationMs or 0)
end

--- The run as text: output, diagnostics, error or result, summary.
function M.report_lines(report, file)
  local lines = {}
  for _, log in ipairs(report.logs or {}) do
    local where = log.line and string.format('%s:%d', file, log.line) or file
    for _, text in ipairs(vim.split(log.text, '\n', { plain = true })) do
      table.insert(lines, string.format('[%s] %s  %s', log.level, where, text))
    end
  end
  for _, d in ipairs(report.diagnostics or {}) do
    table.insert(lines, string.format('%s:%d:%d TS%d: %s', d.file, d.line, d.column, d.code, one_line(d.message)))
    if d.hint then
      table.insert(lines, '  hint: ' .. one_line(d.hint))
    end
  end
  if type(report.error) == 'table' then
    local e = report.error
    local where = e.line and string.format('%s:%d:%d', file, e.line, e.column or 1) or file
    table.insert(lines, string.format('✗ %s at %s: %s', e.kind, where, one_line(e.message)))
  elseif report.result ~= nil and report.result ~= vim.NIL then
    table.insert(lines, 'result: ' .. vim.json.encode(report.result))
  end
  table.insert(lines, M.summary(report))
  return lines
end

--- Draws `report` in `bufnr` (virtual text) and in the run buffer.
function M.show(bufnr, report)
  last[bufnr] = report
  vim.api.nvim_buf_clear_namespace(bufnr, ns, 0, -1)
  local count = vim.api.nvim_buf_line_count(bufnr)
  for line, note in pairs(M.line_notes(report)) do
    if line >= 1 and line <= count then
      vim.api.nvim_buf_set_extmark(bufnr, ns, line - 1, 0, {
        virt_text = { { '→ ' .. shorten(M.collapse(note.entries), 120), note.error and 'DiagnosticError' or 'Comment' } },
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
  local file = vim.fn.fnamemodify(vim.api.nvim_buf_get_name(bufnr), ':t')
  local name = 'codemode://run/' .. file
  local out = vim.fn.bufnr(name)
  if out == -1 then
    out = vim.api.nvim_create_buf(false, true)
    vim.api.nvim_buf_set_name(out, name)
    vim.bo[out].buftype = 'nofile'
    vim.bo[out].bufhidden = 'hide'
    vim.bo[out].swapfile = false
  end
  vim.bo[out].modifiable = true
  vim.api.nvim_buf_set_lines(out, 0, -1, false, M.report_lines(report, file))
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
