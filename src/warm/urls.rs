//! Warming through the application: a file of URLs (one a line, optionally
//! preceded by GET or HEAD; `#` comments; paths starting with `/` are below
//! `--app`), requested with bounded concurrency, each answer read whole so
//! the application has filled its cache before it counts.

use std::collections::BTreeMap;

use reqwest::{Method, Url};
use tokio::task::JoinSet;

use super::{BadLine, Parse};
use crate::http::probe::App;

/// One line of the file.
#[derive(Debug, Clone, PartialEq)]
pub struct Request {
    pub line: u64,
    pub method: Method,
    pub url: Url,
}

/// The parser of URL lines; `base` resolves paths (`--app`).
pub fn parser(base: Option<App>) -> Parse<Request> {
    Box::new(move |line, text| parse(line, text, base.as_ref()))
}

fn parse(line: u64, text: &[u8], base: Option<&App>) -> Result<Option<Request>, String> {
    let text = std::str::from_utf8(text).map_err(|_| "not UTF-8 text".to_string())?;
    let text = text.trim();
    if text.starts_with('#') {
        return Ok(None);
    }
    // A method is GET or HEAD in any case, or a word in capitals (POST).
    let method_word = |m: &str| {
        m.eq_ignore_ascii_case("get")
            || m.eq_ignore_ascii_case("head")
            || m.bytes().all(|b| b.is_ascii_uppercase())
    };
    let (method, target) = match text.split_once(char::is_whitespace) {
        Some((m, rest)) if method_word(m) => {
            let method = match m.to_ascii_uppercase().as_str() {
                "GET" => Method::GET,
                "HEAD" => Method::HEAD,
                other => {
                    return Err(format!(
                        "`{}` is not GET or HEAD (warming only reads)",
                        crate::render::clean(other)
                    ))
                }
            };
            (method, rest.trim())
        }
        _ => (Method::GET, text),
    };
    let url = if target.starts_with('/') {
        match base {
            Some(app) => {
                let (path, query) = match target.split_once('?') {
                    Some((path, query)) => (path, Some(query)),
                    None => (target, None),
                };
                let mut url = app.join(path);
                url.set_query(query);
                url
            }
            None => return Err("a path needs --app (the base URL) to be requested".into()),
        }
    } else {
        Url::parse(target).map_err(|e| {
            format!(
                "not a URL ({e}): {}",
                crate::render::clean(&crate::secret::redact_url(target))
            )
        })?
    };
    if !matches!(url.scheme(), "http" | "https") {
        return Err(format!("`{}` is not http or https", url.scheme()));
    }
    Ok(Some(Request { line, method, url }))
}

/// What a batch of requests got.
#[derive(Debug, Default)]
pub struct Answers {
    /// 2xx answers: the page was served, so its cache entries were made.
    pub ok: u64,
    /// By status code ("200", "503") or failure ("timeout", "connect").
    pub statuses: BTreeMap<String, u64>,
    /// Requests that did not get a 2xx, by line, in line order.
    pub failed: Vec<BadLine>,
    /// Requests abandoned unanswered at Ctrl-C (the batch stopped there:
    /// they may or may not have warmed anything).
    pub interrupted: u64,
}

/// Requests every URL of a batch, `concurrency` at a time.
pub async fn request_all(
    app: &App,
    batch: Vec<Request>,
    concurrency: usize,
    stop: impl std::future::Future<Output = ()>,
) -> Answers {
    let mut answers = Answers::default();
    tokio::pin!(stop);
    let mut pending = batch.into_iter();
    let mut running = JoinSet::new();
    // Each task's line and URL, so one that fails (panics) is still
    // counted and named.
    let mut asked = std::collections::HashMap::new();
    let mut done = Vec::new();
    loop {
        while running.len() < concurrency.max(1) {
            let Some(r) = pending.next() else { break };
            let app = app.clone();
            let shown = format!("{} {}", r.method, crate::secret::redact_url(r.url.as_str()));
            let line = r.line;
            let task = running.spawn(async move { app.warm(r.method, r.url).await });
            asked.insert(task.id(), (line, shown));
        }
        let next = tokio::select! {
            next = running.join_next_with_id() => next,
            // Ctrl-C: the requests still waiting are abandoned (dropping
            // the set aborts them), the rest of the batch is not sent.
            () = &mut stop => {
                answers.interrupted = running.len() as u64;
                break;
            }
        };
        let (id, answer) = match next {
            Some(Ok((id, answer))) => (id, answer),
            Some(Err(e)) => (e.id(), Err("panicked".to_string())),
            None => break,
        };
        if let Some((line, shown)) = asked.remove(&id) {
            done.push((line, shown, answer));
        }
    }
    done.sort_by_key(|(line, _, _)| *line);
    for (line, shown, answer) in done {
        let key = match &answer {
            Ok(status) => status.to_string(),
            Err(kind) => kind.split(' ').next().unwrap_or("failed").to_string(),
        };
        *answers.statuses.entry(key).or_default() += 1;
        match answer {
            Ok(status) if (200..300).contains(&status) => answers.ok += 1,
            Ok(status) => answers.failed.push(BadLine {
                line,
                reason: format!("{} answered {status}", crate::render::clean(&shown)),
            }),
            Err(why) => answers.failed.push(BadLine {
                line,
                reason: format!("{}: {why}", crate::render::clean(&shown)),
            }),
        }
    }
    answers
}

#[cfg(test)]
mod tests {
    use super::*;

    fn app() -> App {
        App::new(
            Url::parse("http://app.local:8000/base/").unwrap(),
            std::time::Duration::from_secs(1),
            std::time::Duration::from_secs(1),
            std::time::Duration::ZERO,
            1 << 20,
            false,
            None,
        )
        .unwrap()
    }

    #[test]
    fn lines_are_urls_methods_paths_and_comments() {
        let a = app();
        let r = parse(3, b"https://x.example/p?q=1", None).unwrap().unwrap();
        assert_eq!((r.line, r.method.clone()), (3, Method::GET));
        assert_eq!(r.url.as_str(), "https://x.example/p?q=1");
        let r = parse(4, b"  head /products/7 ", Some(&a)).unwrap().unwrap();
        assert_eq!(r.method, Method::HEAD);
        assert_eq!(r.url.as_str(), "http://app.local:8000/base/products/7");
        let r = parse(4, b"/search?q=a b&page=2", Some(&a))
            .unwrap()
            .unwrap();
        assert_eq!(
            r.url.as_str(),
            "http://app.local:8000/base/search?q=a%20b&page=2"
        );
        assert_eq!(parse(5, b"# popular pages", None).unwrap(), None);
        assert!(parse(6, b"/products/7", None)
            .unwrap_err()
            .contains("needs --app"));
        assert!(parse(7, b"POST https://x.example/", None)
            .unwrap_err()
            .contains("not GET or HEAD"));
        assert!(parse(7, b"not a url", None)
            .unwrap_err()
            .starts_with("not a URL"));
        assert!(parse(8, b"ftp://x.example/", None)
            .unwrap_err()
            .contains("not http"));
        // A bad URL's secrets are not echoed.
        let e = parse(9, b"http://u:s3cret@[bad/", None).unwrap_err();
        assert!(!e.contains("s3cret"), "{e}");
    }
}
