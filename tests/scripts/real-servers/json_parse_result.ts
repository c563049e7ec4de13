// expect: 4 TS2345 'ToolResult'
// hint: 4 .json()
const status = await git.gitStatus({ repo_path: "." });
const parsed = JSON.parse(status);
console.log(parsed);
