// expect: 3 TS2339 'rows'
const status = await git.gitStatus({ repo_path: "." });
console.log(status.rows);
