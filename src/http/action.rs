//! Actions the application exposes (`POST /internal/cache/clear`, `/gc`,
//! `/restart` ...): whether the endpoint is there, asked without doing it,
//! and doing it. `diagnose --fix` sends them through the one mutation path
//! (consent by safety, write-ahead audit), like Redis commands.

use crate::http::probe::App;
use crate::runbook::step::HttpRequest;
use crate::target::connect::Consented;
use crate::target::NodeAddr;

/// Characters of an answer kept for the transcript and the audit log.
const EXCERPT: usize = 200;

impl App {
    /// The application as a node: consent to its destructive actions names
    /// it (`--confirm-destructive host:port`).
    pub fn node(&self) -> NodeAddr {
        NodeAddr::tcp(
            self.base.host_str().unwrap_or("localhost"),
            self.base.port_or_known_default().unwrap_or(80),
        )
    }

    /// The action's URL, credentials hidden: what the audit log says.
    pub fn shown(&self, request: &HttpRequest) -> String {
        format!(
            "{} {}",
            request.method,
            crate::secret::redact_url(self.join(&request.path).as_str())
        )
    }

    fn request(
        &self,
        method: reqwest::Method,
        request: &HttpRequest,
    ) -> Result<reqwest::RequestBuilder, String> {
        self.build(
            method,
            &request.path,
            &request.headers,
            self.request_timeout,
        )
    }

    /// Whether the action's endpoint is there, asked without doing it: an
    /// OPTIONS request (HEAD when the server does not implement OPTIONS;
    /// never a GET, which a careless endpoint may act on).
    /// Not served (404, 410), refused (401, 403), a method the endpoint
    /// does not allow, or no answer at all: `Err`, and nothing is sent.
    /// `Ok` says what the probe saw.
    pub async fn probe_action(&self, request: &HttpRequest) -> Result<String, String> {
        let ask = |method: reqwest::Method| async move {
            let response = self.request(method, request)?.send().await.map_err(|e| {
                format!(
                    "the application did not answer ({})",
                    crate::secret::scrub(&crate::http::probe::describe(&e))
                )
            })?;
            let allow = response
                .headers()
                .get(reqwest::header::ALLOW)
                .and_then(|v| v.to_str().ok())
                .map(str::to_string);
            Ok::<_, String>((response.status().as_u16(), allow))
        };
        let (mut status, mut allow) = ask(reqwest::Method::OPTIONS).await?;
        let mut asked = "OPTIONS";
        if status == 501 {
            (status, allow) = ask(reqwest::Method::HEAD).await?;
            asked = "HEAD";
        }
        let path = &request.path;
        match status {
            404 | 410 => Err(format!(
                "{path} is not served by the application ({asked} answered {status}): nothing was sent"
            )),
            401 | 403 => Err(format!(
                "{path} refuses cachectl ({asked} answered {status}): check the fix's headers"
            )),
            _ => match allow {
                Some(allowed)
                    if !allowed
                        .split(',')
                        .any(|m| m.trim().eq_ignore_ascii_case(&request.method)) =>
                {
                    Err(format!(
                        "{path} does not accept {} (Allow: {allowed}): nothing was sent",
                        request.method
                    ))
                }
                _ => Ok(format!("{path} is served ({asked} answered {status})")),
            },
        }
    }

    /// Does the action: the status and the start of the answer when the
    /// status is one the request expects, else why not.
    pub async fn act(
        &self,
        request: &HttpRequest,
        consent: &impl Consented,
    ) -> Result<String, String> {
        let verb = crate::floor::verb(&[request.method.as_str(), request.path.as_str()]);
        if let Some(why) = consent.refuses(&self.node(), &verb) {
            return Err(format!("not sent: {why}"));
        }
        let method = reqwest::Method::from_bytes(request.method.as_bytes())
            .map_err(|_| format!("bad method {}", request.method))?;
        let mut builder = self.request(method, request)?;
        if let Some(body) = &request.body {
            builder = builder
                .header(reqwest::header::CONTENT_TYPE, "application/json")
                .body(body.to_string());
        }
        let response = builder.send().await.map_err(|e| {
            format!(
                "no answer ({}); the application may or may not have done it",
                crate::secret::scrub(&crate::http::probe::describe(&e))
            )
        })?;
        let status = response.status().as_u16();
        let body = response.text().await.unwrap_or_default();
        let excerpt: String = body.trim().chars().take(EXCERPT).collect();
        let said = crate::secret::scrub(&format!("HTTP {status} {excerpt}"));
        if request.status_ok(status) {
            Ok(said.trim_end().to_string())
        } else {
            Err(said.trim_end().to_string())
        }
    }
}
