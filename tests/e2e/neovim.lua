-- Drives a real Neovim (0.11, headless) with the plugin in editors/neovim loaded from the
-- runtimepath the way a user sets it up, against `codemode lsp` and a real MCP server (run by
-- tests/e2e/neovim.rs): the filetype, the client attached, completion after `memory.`, a type
-- error as a diagnostic and its quick fix applied, :CodemodeRun's buffer and virtual text, the ▶ Run lens, inlay hints on,
-- :CodemodeTypes. Prints what it saw as one JSON line; exits non-zero (`cq`) on failure.
--
-- Environment: CODEMODE_BIN (the binary), CODEMODE_SCRIPT (the agent script to open).

local seen = {}
local function fail(message)
  io.stderr:write('neovim test failed: ' .. message .. '\nwhat was seen so far: ' .. vim.json.encode(seen) .. '\n')
  vim.cmd('cq 1')
end
local function wait(what, ms, condition)
  if not vim.wait(ms, condition, 50) then
    fail('timed out after ' .. ms .. ' ms waiting for ' .. what)
  end
end

local ok, err = xpcall(function()
  vim.lsp.config('codemode', { cmd = { os.getenv('CODEMODE_BIN'), 'lsp' } })
  vim.lsp.enable('codemode')
  vim.cmd.edit(os.getenv('CODEMODE_SCRIPT'))
  local buf = vim.api.nvim_get_current_buf()
  local original = vim.api.nvim_buf_get_lines(buf, 0, -1, false)
  seen.filetype = vim.bo[buf].filetype

  wait('the codemode client to attach', 30000, function()
    return #vim.lsp.get_clients({ bufnr = buf, name = 'codemode' }) > 0
  end)
  local client = vim.lsp.get_clients({ bufnr = buf, name = 'codemode' })[1]
  seen.inlay_hints = vim.lsp.inlay_hint.is_enabled({ bufnr = buf })

  -- The ▶ Run lens (listed at once: it needs no server).
  wait('the ▶ Run code lens', 60000, function()
    for _, lens in ipairs(vim.lsp.codelens.get(buf)) do
      if lens.command and lens.command.title:find('Run', 1, true) then
        return true
      end
    end
    vim.lsp.codelens.refresh({ bufnr = buf })
    return false
  end)
  seen.lenses = vim.tbl_map(function(lens)
    return lens.command and lens.command.title or ''
  end, vim.lsp.codelens.get(buf))

  -- Completion after `memory.` on a new last line.
  local last = #original
  vim.api.nvim_buf_set_lines(buf, last, last, false, { 'memory.' })
  -- While the servers start a completion answers nothing; asked again, as a person types
  -- again, it lists the tools once they are up.
  local answer
  wait('completion after `memory.`', 60000, function()
    answer = client:request_sync('textDocument/completion', {
      textDocument = { uri = vim.uri_from_bufnr(buf) },
      position = { line = last, character = 7 },
    }, 30000, buf)
    if not answer or answer.err then
      fail('completion failed: ' .. vim.inspect(answer))
    end
    local result = answer.result
    return result ~= nil and #(result.items or result) > 0
  end)
  local items = answer.result.items or answer.result
  seen.completion = vim.tbl_map(function(item)
    return item.label
  end, items)

  -- A type error shows as a diagnostic.
  vim.api.nvim_buf_set_lines(buf, last, last + 1, false, { 'await memory.readGraf({});' })
  local diagnostic
  wait('the type error diagnostic', 30000, function()
    for _, found in ipairs(vim.diagnostic.get(buf)) do
      if found.message:find('readGraf', 1, true) then
        diagnostic = found
        return true
      end
    end
    return false
  end)
  seen.diagnostic = { line = diagnostic.lnum + 1, message = diagnostic.message, code = diagnostic.code, source = diagnostic.source }

  -- Its quick fix, applied the way a user does (the one preferred fix applies at once).
  vim.api.nvim_win_set_cursor(0, { diagnostic.lnum + 1, diagnostic.col })
  vim.lsp.buf.code_action({ context = { only = { 'quickfix' } }, apply = true })
  wait('the quick fix to be applied', 30000, function()
    return vim.api.nvim_buf_get_lines(buf, last, last + 1, false)[1] == 'await memory.readGraph({});'
  end)
  seen.quick_fix = vim.api.nvim_buf_get_lines(buf, last, last + 1, false)[1]
  wait('the fixed line to check clean', 30000, function()
    return #vim.diagnostic.get(buf) == 0
  end)

  -- Back to the script as it was; the diagnostic goes.
  vim.api.nvim_buf_set_lines(buf, 0, -1, false, original)
  wait('the diagnostics to clear', 30000, function()
    return #vim.diagnostic.get(buf) == 0
  end)

  -- :CodemodeRun: the run's buffer and virtual text at the lines.
  vim.cmd('CodemodeRun')
  local out
  wait('the run buffer', 60000, function()
    out = vim.fn.bufnr('codemode://run/' .. vim.fn.fnamemodify(os.getenv('CODEMODE_SCRIPT'), ':t'))
    return out ~= -1 and #vim.api.nvim_buf_get_lines(out, 0, -1, false) > 1
  end)
  seen.run = vim.api.nvim_buf_get_lines(out, 0, -1, false)
  -- The server asks for the lenses again: the last run's sums it up.
  wait('the last run lens', 30000, function()
    for _, lens in ipairs(vim.lsp.codelens.get(buf)) do
      if lens.command and lens.command.title:find('last run', 1, true) then
        seen.last_run_lens = lens.command.title
        return true
      end
    end
    return false
  end)
  seen.run_window = vim.fn.bufwinid(out) ~= -1
  seen.virtual_text = {}
  for _, mark in ipairs(vim.api.nvim_buf_get_extmarks(buf, -1, 0, -1, { details = true })) do
    local details = mark[4]
    if details.virt_text then
      table.insert(seen.virtual_text, { line = mark[2] + 1, text = details.virt_text[1][1] })
    end
  end
  -- An edit clears them.
  vim.api.nvim_buf_set_lines(buf, -1, -1, false, { '' })
  vim.cmd('doautocmd TextChanged')
  local left = 0
  for _, mark in ipairs(vim.api.nvim_buf_get_extmarks(buf, -1, 0, -1, { details = true })) do
    if mark[4].virt_text and mark[4].virt_text[1][1]:find('→', 1, true) then
      left = left + 1
    end
  end
  seen.virtual_text_after_edit = left

  -- :CodemodeTypes: the generated API, read-only.
  vim.cmd('CodemodeTypes')
  local types = vim.api.nvim_get_current_buf()
  seen.types_name = vim.api.nvim_buf_get_name(types)
  seen.types_readonly = not vim.bo[types].modifiable
  seen.types_has_memory = false
  for _, line in ipairs(vim.api.nvim_buf_get_lines(types, 0, -1, false)) do
    if line:find('declare namespace memory', 1, true) then
      seen.types_has_memory = true
    end
  end
end, debug.traceback)

if not ok then
  fail(tostring(err))
end
io.stdout:write(vim.json.encode(seen) .. '\n')
vim.cmd('qa!')
