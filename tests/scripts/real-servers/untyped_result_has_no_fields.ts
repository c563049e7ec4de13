// expect: 4 TS2339 'rows'
// hint: 4 .json()
const status = await git.gitStatus({ repo_path: "." });
console.log(status.rows);
