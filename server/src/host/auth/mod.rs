//! Sign-in to HTTP servers (OAuth 2.1): the browser flow (`login.rs`), the tokens kept on
//! disk for the user (`store.rs`), and the HTTP client that sends them — refreshing them when
//! they expire or the server rejects them — for the connection (`client`).

mod login;
mod store;

pub use login::{Step, login, words};
pub use store::{TokenStore, state_dir};

use rmcp::transport::auth::{AuthClient, AuthorizationManager};

/// An HTTP client carrying the stored sign-in for the server at `url`; `None` when there is
/// none (the connection then goes out without, and a 401 says to sign in).
pub async fn client(url: &str) -> Result<Option<AuthClient<reqwest::Client>>, String> {
    let Some(store) = TokenStore::for_url(url).filter(TokenStore::exists) else {
        return Ok(None);
    };
    let mut manager = AuthorizationManager::new(url)
        .await
        .map_err(|e| words(&e))?;
    manager.set_credential_store(store);
    match manager.initialize_from_store().await {
        Ok(signed_in) => Ok(signed_in.then(|| AuthClient::new(reqwest::Client::new(), manager))),
        // The metadata could not be fetched (the server is down, say): connect without the
        // sign-in, so that what is wrong with the connection is what gets said.
        Err(error) => {
            tracing::info!("not using the stored sign-in for now: {}", words(&error));
            Ok(None)
        }
    }
}
