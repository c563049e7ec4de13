//! Signing in to an OAuth-protected MCP server, for real: the official Python MCP SDK serves
//! the authorization server and the resource server on 127.0.0.1
//! (`tests/fixtures/oauth_server.py`); the test plays the person in the browser by following
//! the printed URL's redirects. Its access tokens start with `canary_`: none may ever show in
//! an output, a log, a generated file or anything a script can reach.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};

use serde_json::json;

use crate::support::{Run, Workspace, deps, repo};

/// The OAuth-protected server, its base URL and its event log.
struct OAuthServer {
    child: Child,
    base: String,
}

impl OAuthServer {
    /// Tokens are refused by the server `ttl` seconds after they are issued.
    fn start(log: &Path, ttl: u64) -> OAuthServer {
        OAuthServer::start_with(log, ttl, &[])
    }

    /// [`OAuthServer::start`] with these environment variables (`OAUTH_AUTHORIZE_URL`).
    fn start_with(log: &Path, ttl: u64, env: &[(&str, &str)]) -> OAuthServer {
        let mut child = Command::new("python3")
            .arg(repo().join("tests/fixtures/oauth_server.py"))
            .env("PYTHONPATH", &deps().python_path)
            .env("OAUTH_LOG", log)
            .env("OAUTH_TTL", ttl.to_string())
            .envs(env.iter().copied())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let mut port = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut port)
            .unwrap();
        let base = format!("http://127.0.0.1:{}", port.trim());
        // The port is printed before uvicorn listens: wait until it answers.
        for _ in 0..100 {
            if std::net::TcpStream::connect(base.trim_start_matches("http://")).is_ok() {
                break;
            }
            std::thread::sleep(std::time::Duration::from_millis(100));
        }
        OAuthServer { child, base }
    }
}

impl Drop for OAuthServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// codemode in the workspace, as a user whose home (and state folder) is the workspace.
fn codemode(workspace: &Workspace, args: &[&str]) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_codemode"));
    command
        .args(args)
        .current_dir(workspace.path())
        .env("HOME", workspace.path())
        .env("XDG_STATE_HOME", workspace.path().join("state"))
        .env("CODEMODE_NO_USER_CONFIGS", "1")
        .env_remove("CODEMODE_CONFIG")
        .stdin(Stdio::null());
    command
}

fn finish(command: &mut Command) -> Run {
    let output = command.output().unwrap();
    Run {
        code: output.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

/// Every file under `dir` (but the sign-in folder) as text.
fn files_under(dir: &Path, skip: &Path, out: &mut Vec<(String, String)>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.starts_with(skip) {
            continue;
        }
        if path.is_dir() {
            files_under(&path, skip, out);
        } else if let Ok(text) = std::fs::read(&path) {
            out.push((
                path.display().to_string(),
                String::from_utf8_lossy(&text).into_owned(),
            ));
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sign_in_call_a_tool_survive_a_token_expiry_and_never_show_a_token() {
    let workspace = Workspace::new();
    let log = workspace.path().join("oauth.log");
    let server = OAuthServer::start(&log, 3);
    let config = workspace.config(json!({"notes": {"url": format!("{}/mcp", server.base)}}));
    // This user's state is the workspace's own folder: trusted there.
    crate::support::trust_in(&workspace.path().join("state"), &config);
    workspace.write(
        "count.ts",
        "const n = await notes.countNotes({ folder: \"inbox\" });\n\
         console.log(\"notes:\", JSON.stringify(n));\n\
         export default { n, globals: Object.getOwnPropertyNames(globalThis) };\n",
    );
    let mut seen = Vec::new();

    // Before signing in: the server says what to run.
    let run = finish(&mut codemode(&workspace, &["tools"]));
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(
        run.stdout.starts_with(&format!(
            "notes  NEEDS SIGN-IN  ({}/mcp)\n  needs sign-in: run `codemode login notes`",
            server.base
        )),
        "{}",
        run.stdout
    );
    seen.push(run);
    let run = finish(&mut codemode(&workspace, &["tools", "--json"]));
    let listed: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(
        listed["servers"][0]["status"], "needs-sign-in",
        "{}",
        run.stdout
    );

    // `codemode login`: the URL on stderr; the test is the browser.
    let mut login = codemode(&workspace, &["login", "notes", "--no-browser"])
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(login.stderr.take().unwrap()).lines();
    let mut said = String::new();
    let url = sign_in_url(&mut lines, &mut said);
    assert!(url.contains("code_challenge_method=S256"), "{url}");
    assert!(url.contains("resource="), "{url}");
    let page = reqwest::get(&url).await.unwrap().text().await.unwrap();
    assert!(page.contains("Signed in"), "{page}");
    for line in lines {
        said.push_str(&line.unwrap());
        said.push('\n');
    }
    assert!(login.wait().unwrap().success(), "{said}");
    assert!(said.contains("✓ signed in to notes"), "{said}");
    seen.push(Run {
        code: 0,
        stdout: String::new(),
        stderr: said,
    });

    // The tokens: one file, the user's only.
    let sign_in = workspace.path().join("state/codemode/sign-in");
    let stored: Vec<_> = std::fs::read_dir(&sign_in).unwrap().collect();
    assert_eq!(stored.len(), 1);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let file = stored[0].as_ref().unwrap().path();
        let mode = std::fs::metadata(&file).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600, "{}", file.display());
        let mode = std::fs::metadata(&sign_in).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o700);
    }

    // A script calls the tool; again after the server stopped taking the token.
    let run = finish(&mut codemode(
        &workspace,
        &["run", "count.ts", "--json", "-vv", "--yes"],
    ));
    assert_eq!(run.code, 0, "{}", run.stderr);
    let report: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(
        report["result"]["n"],
        json!({"result": 15}),
        "{}",
        run.stdout
    );
    seen.push(run);
    std::thread::sleep(std::time::Duration::from_secs(4));
    let run = finish(&mut codemode(
        &workspace,
        &["run", "count.ts", "-vv", "--yes"],
    ));
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stdout.contains("notes: {\"result\":15}"),
        "{}",
        run.stdout
    );
    seen.push(run);
    let events = std::fs::read_to_string(&log).unwrap();
    let rejected = events.find("rejected").expect(&events);
    let refreshed = events[rejected..].find("refreshed").map(|at| at + rejected);
    assert!(
        refreshed.is_some(),
        "no refresh after the rejection:\n{events}"
    );
    assert_eq!(events.matches("called count_notes").count(), 2, "{events}");

    // The declarations and the LSP's view of the API hold no token either.
    seen.push(finish(&mut codemode(&workspace, &["types"])));
    seen.push(finish(&mut codemode(&workspace, &["tools", "--json"])));

    // Nothing anyone reads holds a token: outputs, logs (-vv), files in the project.
    for run in &seen {
        for text in [&run.stdout, &run.stderr] {
            assert!(!text.contains("canary_"), "a token leaked:\n{text}");
        }
    }
    let mut files = Vec::new();
    files_under(workspace.path(), &sign_in, &mut files);
    for (path, text) in files {
        assert!(!text.contains("canary_"), "a token is in {path}");
    }

    // `codemode logout` forgets it; the server asks again.
    let run = finish(&mut codemode(&workspace, &["logout", "notes"]));
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stderr.contains("signed out of notes"), "{}", run.stderr);
    assert_eq!(std::fs::read_dir(&sign_in).unwrap().count(), 0);
    let run = finish(&mut codemode(&workspace, &["tools"]));
    assert!(run.stdout.contains("needs sign-in"), "{}", run.stdout);
}

/// In an editor: the language server asks whether to sign in, opens the authorization page
/// through `window/showDocument`, and once the browser is back the server's tools are there.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_editor_offers_the_sign_in_and_opens_the_browser() {
    use crate::lsp_client::{LspClient, file_uri};

    let workspace = Workspace::new();
    let log = workspace.path().join("oauth.log");
    let server = OAuthServer::start(&log, 3600);
    let config = workspace.config(json!({"notes": {"url": format!("{}/mcp", server.base)}}));
    // This user's state is the workspace's own folder: trusted there.
    crate::support::trust_in(&workspace.path().join("state"), &config);
    let state = workspace.path().join("state");
    let mut client = LspClient::start_with_env(
        workspace.path(),
        &[],
        &[("HOME", workspace.path()), ("XDG_STATE_HOME", &state)],
    );
    client.answer = Some("Sign in".into());
    client.initialize(workspace.path(), json!({}));
    client.until("window/showDocument", |c| !c.opened.is_empty());
    let asked = client
        .server_requests
        .iter()
        .find(|r| r["method"] == "window/showMessageRequest")
        .expect("no question");
    assert!(
        asked["params"]["message"]
            .as_str()
            .unwrap()
            .contains("`notes` needs you to sign in"),
        "{asked:#}"
    );
    let opened = client.opened[0].clone();
    assert!(opened.contains("/authorize?"), "{opened}");
    let page = reqwest::get(&opened).await.unwrap().text().await.unwrap();
    assert!(page.contains("Signed in"), "{page}");
    client.wait_for(0, "signed-in message", |n| {
        n["method"] == "window/showMessage"
            && n["params"]["message"]
                .as_str()
                .is_some_and(|m| m.contains("signed in to `notes`"))
    });

    // The reloaded workspace has the server's tools: a script using them checks clean.
    let script = workspace.write(
        "count.mcp.ts",
        "const n = await notes.countNotes({ folder: \"inbox\" });\nconsole.log(n);\n",
    );
    let uri = file_uri(&script);
    let text = std::fs::read_to_string(&script).unwrap();
    client.notify(
        "textDocument/didOpen",
        json!({"textDocument": {"uri": uri, "languageId": "typescript", "version": 1, "text": text}}),
    );
    client.wait_for(0, "clean diagnostics for the script", |n| {
        n["method"] == "textDocument/publishDiagnostics"
            && n["params"]["uri"] == uri.as_str()
            && n["params"]["diagnostics"] == json!([])
    });
    let (_, stderr) = client.shutdown();
    assert!(!stderr.contains("canary_"), "a token leaked into the log");
}

/// Under `serve`, a client that can open pages for its person (URL-mode elicitation, here
/// of MCP 2026-07-28 in a round trip) is sent to the sign-in page by the first `execute`;
/// once the browser is back, the same `execute` runs its script against the server's tools
/// — and a tool of the server that just came up is still asked about (a remote server's
/// tools need approval).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn serve_sends_the_person_to_sign_in_and_then_runs_the_script() {
    use crate::serve::{ModernClient, the_question};

    let workspace = Workspace::new();
    let log = workspace.path().join("oauth.log");
    let server = OAuthServer::start(&log, 3600);
    let config = workspace.config(json!({"notes": {"url": format!("{}/mcp", server.base)}}));
    // This user's state is the workspace's own folder: trusted there.
    crate::support::trust_in(&workspace.path().join("state"), &config);
    let state = workspace.path().join("state");
    let mut modern = ModernClient::start_with(
        workspace.path(),
        json!({"elicitation": {"url": {}, "form": {}}}),
        &[("HOME", workspace.path()), ("XDG_STATE_HOME", &state)],
    );
    let call = json!({"name": "execute", "arguments": {
        "code": "export default await notes.countNotes({ folder: \"inbox\" });"
    }});
    let asked = modern
        .ask("tools/call", Some("execute"), call.clone())
        .await;
    let (key, question, handle) = the_question(&asked);
    let params = &question["params"];
    assert_eq!(params["mode"], json!("url"), "{asked:#}");
    assert!(
        params["message"].as_str().unwrap().contains("`notes`"),
        "{asked:#}"
    );
    // The person opens the page (the test is the browser), then the client says so.
    let url = params["url"].as_str().unwrap();
    assert!(url.contains("code_challenge_method=S256"), "{url}");
    let page = reqwest::get(url).await.unwrap().text().await.unwrap();
    assert!(page.contains("Signed in"), "{page}");
    let mut retry = call.clone();
    retry["inputResponses"] = json!({ key: {"action": "accept"} });
    retry["requestState"] = handle;
    let approval = modern.ask("tools/call", Some("execute"), retry).await;
    let (key, question, handle) = the_question(&approval);
    assert_eq!(question["params"]["mode"], json!("form"), "{approval:#}");
    assert!(
        question["params"]["message"]
            .as_str()
            .unwrap()
            .contains("notes.count_notes"),
        "{approval:#}"
    );
    let mut retry = call;
    retry["inputResponses"] = json!({ key: {"action": "accept", "content": {}} });
    retry["requestState"] = handle;
    let ran = modern.ask("tools/call", Some("execute"), retry).await;
    let text = ran["result"]["content"][0]["text"]
        .as_str()
        .unwrap_or_default();
    assert_eq!(ran["result"]["isError"], json!(false), "{ran:#}");
    assert!(text.contains("15"), "{ran:#}");
    assert!(
        !ran.to_string().contains("canary_"),
        "a token leaked: {ran}"
    );
    let events = std::fs::read_to_string(&log).unwrap();
    assert_eq!(events.matches("called count_notes").count(), 1, "{events}");
}

/// `codemode login notes --no-browser` in `workspace` (trusting its configuration first),
/// its stderr lines, and the sign-in URL it printed.
fn start_login(
    workspace: &Workspace,
    server: &OAuthServer,
    env: &[(&str, &str)],
) -> (Child, std::io::Lines<BufReader<std::process::ChildStderr>>) {
    let config = workspace.config(json!({"notes": {"url": format!("{}/mcp", server.base)}}));
    crate::support::trust_in(&workspace.path().join("state"), &config);
    let mut login = codemode(workspace, &["login", "notes", "--no-browser"])
        .envs(env.iter().copied())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let lines = BufReader::new(login.stderr.take().unwrap()).lines();
    (login, lines)
}

#[test]
fn a_sign_in_address_that_is_not_a_web_page_is_never_opened() {
    for hostile in [
        "file:///etc/passwd",
        "vscode://codemode.codemode/run?x=1",
        "javascript:alert(document.cookie)",
    ] {
        let workspace = Workspace::new();
        let log = workspace.path().join("oauth.log");
        let server = OAuthServer::start_with(&log, 3600, &[("OAUTH_AUTHORIZE_URL", hostile)]);
        let (mut login, lines) = start_login(&workspace, &server, &[]);
        let said: Vec<String> = lines.map(Result::unwrap).collect();
        let said = said.join("\n");
        assert!(!login.wait().unwrap().success(), "{hostile}: {said}");
        assert!(said.contains("it was not opened"), "{hostile}: {said}");
        assert!(!said.contains(hostile), "{hostile} was shown: {said}");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_forged_callback_is_ignored_and_no_log_line_shows_the_code() {
    let workspace = Workspace::new();
    let log = workspace.path().join("oauth.log");
    let server = OAuthServer::start(&log, 3600);
    let (mut login, mut lines) = start_login(&workspace, &server, &[("RUST_LOG", "debug")]);
    let mut said = String::new();
    let url = sign_in_url(&mut lines, &mut said);
    let redirect = url::Url::parse(&url)
        .unwrap()
        .query_pairs()
        .find(|(k, _)| k == "redirect_uri")
        .map(|(_, v)| v.into_owned())
        .unwrap();
    // A page of another site sends the browser to the callback with its own code.
    let forged = reqwest::get(format!("{redirect}?code=forged-code&state=forged-state"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        forged.contains("does not belong to the sign-in under way"),
        "{forged}"
    );
    // The real sign-in goes on: the browser follows the authorization server's redirect.
    let browser = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let answer = browser.get(&url).send().await.unwrap();
    let back = answer.headers()["location"].to_str().unwrap().to_string();
    let code = url::Url::parse(&back)
        .unwrap()
        .query_pairs()
        .find(|(k, _)| k == "code")
        .map(|(_, v)| v.into_owned())
        .unwrap();
    let page = browser
        .get(&back)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("Signed in"), "{page}");
    for line in lines {
        said.push_str(&line.unwrap());
        said.push('\n');
    }
    assert!(login.wait().unwrap().success(), "{said}");
    assert!(said.contains("signed in to notes"), "{said}");
    assert!(said.contains("DEBUG"), "the log was at debug level: {said}");
    assert!(
        !said.contains(&code),
        "the authorization code was logged:\n{said}"
    );
}

/// The sign-in URL `codemode login` prints on stderr, from `lines`; every line read up to it
/// is added to `said`.
fn sign_in_url(
    lines: &mut impl Iterator<Item = std::io::Result<String>>,
    said: &mut String,
) -> String {
    loop {
        let line = lines.next().expect("login printed no URL").unwrap();
        said.push_str(&line);
        said.push('\n');
        if let Some(url) = line.trim().strip_prefix("http") {
            return format!("http{url}");
        }
    }
}
