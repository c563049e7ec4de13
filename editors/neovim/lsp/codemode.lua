-- codemode's language server for agent scripts, for Neovim 0.11+:
--   vim.lsp.enable('codemode')
-- Override what you need with vim.lsp.config('codemode', { cmd = { '/path/to/codemode', 'lsp' } }).
-- Agent scripts are `*.mcp.ts` files (filetype `typescript.codemode`, see ftdetect/codemode.lua);
-- the server also treats `.ts` files under the configuration's `codemode.scripts` folders as
-- scripts: give them the same filetype with vim.filetype.add (editors/neovim/README.md).

---@type vim.lsp.Config
return {
  cmd = { 'codemode', 'lsp' },
  filetypes = { 'typescript.codemode' },
  root_markers = { 'codemode.json', '.mcp.json', '.vscode', '.git' },
  init_options = {
    -- Definitions into the generated API open as `codemode:/api.d.ts` (read by plugin/codemode.lua).
    virtualDocuments = true,
    -- :CodemodeRun draws each line's results as virtual text; no inlay hints for runs then.
    clientDrawsRunResults = true,
  },
}
