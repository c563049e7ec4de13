-- codemode for Neovim: the :CodemodeRun and :CodemodeTypes commands, `codemode:` documents (the
-- generated API, opened by go to definition), the server's ▶ Run lens, code lens refresh and
-- inlay hints for agent scripts. The language server itself is lsp/codemode.lua.
if vim.g.loaded_codemode then
  return
end
vim.g.loaded_codemode = true

local codemode = require('codemode')

vim.api.nvim_create_user_command('CodemodeRun', function()
  codemode.run(vim.api.nvim_get_current_buf())
end, { desc = 'codemode: check and run this agent script, results at each line' })

vim.api.nvim_create_user_command('CodemodeTypes', function()
  codemode.types()
end, { desc = 'codemode: open the generated API (read-only)' })

-- The lens's commands run here, not as a plain workspace/executeCommand, so results are drawn.
vim.lsp.commands['codemode.run'] = function(_, ctx)
  codemode.run(ctx.bufnr)
end
vim.lsp.commands['codemode.showLastRun'] = function(_, ctx)
  codemode.show_last(ctx.bufnr)
end

pcall(vim.treesitter.language.register, 'typescript', 'typescript.codemode')

local group = vim.api.nvim_create_augroup('codemode', { clear = true })

vim.api.nvim_create_autocmd('BufReadCmd', {
  group = group,
  pattern = 'codemode:/*',
  callback = function(args)
    codemode.read_virtual(args.buf, args.match)
  end,
})

vim.api.nvim_create_autocmd('LspAttach', {
  group = group,
  callback = function(args)
    local client = vim.lsp.get_client_by_id(args.data.client_id)
    if not client or client.name ~= 'codemode' then
      return
    end
    vim.lsp.inlay_hint.enable(true, { bufnr = args.buf })
    vim.lsp.codelens.refresh({ bufnr = args.buf })
    vim.api.nvim_create_autocmd({ 'BufEnter', 'InsertLeave', 'BufWritePost' }, {
      group = group,
      buffer = args.buf,
      callback = function()
        vim.lsp.codelens.refresh({ bufnr = args.buf })
      end,
    })
  end,
})
