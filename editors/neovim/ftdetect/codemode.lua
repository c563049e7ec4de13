-- Agent scripts (`*.mcp.ts`) are TypeScript with a filetype of their own, `typescript.codemode`:
-- TypeScript's syntax and ftplugin apply, and a TypeScript server configured for `typescript`
-- does not attach to them (codemode checks them against the generated API instead).
vim.filetype.add({
  pattern = {
    ['.*%.mcp%.ts'] = 'typescript.codemode',
  },
})
