//! A byte stream that hands the Redis client one whole reply at a time, and
//! never more than `limit` bytes of one. A reply that declares or grows past
//! the limit is replaced by an error reply naming the size seen, and the
//! rest of it is read and thrown away, so the connection stays usable and
//! memory stays under the limit whatever the server sends (`$999999999999`
//! followed by an endless stream included).
//!
//! Bytes that are not RESP are passed through untouched, so the client's
//! own parser reports them (that is how `not-redis` is told).

use std::io;
use std::pin::Pin;
use std::task::{Context, Poll};

use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};

/// Longest header line (`*N`, `$N`, `+text`) kept while scanning; a RESP
/// simple string or error longer than this counts against the limit anyway.
const MAX_LINE: usize = 64 * 1024;

/// Buffer capacity kept between replies; more is given back.
const KEEP: usize = 1 << 20;

/// Default largest reply: CLIENT LIST at maxclients 100,000 is about 40 MB.
pub const DEFAULT_LIMIT: u64 = 128 << 20;

/// The prefix of the error reply that stands for a reply over the limit.
pub const TOO_LARGE: &str = "CACHECTL_TOO_LARGE";

/// An integer header value (`-1`, `1024`), without allocating.
fn parse_int(digits: &[u8]) -> Option<i64> {
    let (negative, digits) = match digits.split_first() {
        Some((b'-', rest)) => (true, rest),
        _ => (false, digits),
    };
    if digits.is_empty() || digits.len() > 18 {
        return None;
    }
    let mut n: i64 = 0;
    for &d in digits {
        if !d.is_ascii_digit() {
            return None;
        }
        n = n * 10 + i64::from(d - b'0');
    }
    Some(if negative { -n } else { n })
}

#[derive(Debug, Default)]
struct Scanner {
    /// The current header line.
    line: Vec<u8>,
    /// Bulk payload (and its CRLF) still to come.
    bulk_left: u64,
    /// Elements still expected by each open aggregate.
    open: Vec<u64>,
    /// Bytes of the current top-level reply so far.
    reply_bytes: u64,
    /// Size the current reply's largest bulk declared, if over the limit.
    declared: Option<u64>,
    /// The current reply is over the limit: its bytes are dropped.
    discarding: bool,
    /// Not RESP: pass everything through from here on.
    passthrough: bool,
    /// The current reply is one bulk string whose declared size fits the
    /// limit: its bytes go up as they come, not gathered (a 30 MB CLIENT
    /// LIST is not held twice).
    streaming: bool,
}

enum Step {
    /// The byte belongs to the current reply.
    More,
    /// The byte ended a top-level reply.
    Done,
    /// The reply is over the limit (from this byte on).
    Over,
    /// The byte is not RESP.
    Garbage,
}

impl Scanner {
    fn element_done(&mut self) -> bool {
        while let Some(top) = self.open.last_mut() {
            *top -= 1;
            if *top == 0 {
                self.open.pop();
            } else {
                return false;
            }
        }
        true
    }

    fn header(&mut self, limit: u64) -> Step {
        // Parsed in place: one header per reply element, a million a scan.
        let mut end = self.line.len();
        while end > 0 && matches!(self.line[end - 1], b'\r' | b'\n') {
            end -= 1;
        }
        let Some(&first) = self.line.first().filter(|_| end > 0) else {
            self.line.clear();
            return Step::Garbage;
        };
        let kind = first as char;
        let digits = &self.line[1..end];
        let parsed = parse_int(digits);
        self.line.clear();
        let number = || parsed;
        let done = |s: &mut Scanner| {
            if s.element_done() {
                Step::Done
            } else {
                Step::More
            }
        };
        match kind {
            '+' | '-' | ':' | ',' | '#' | '_' | '(' => done(self),
            '$' | '=' | '!' => match number() {
                Some(n) if n < 0 => done(self),
                Some(n) if n as u64 > limit => {
                    self.declared = Some(n as u64);
                    self.bulk_left = n as u64 + 2;
                    Step::Over
                }
                Some(n) => {
                    self.bulk_left = n as u64 + 2;
                    Step::More
                }
                None => Step::Garbage,
            },
            '*' | '~' | '>' | '%' | '|' => match number() {
                Some(n) if n <= 0 => done(self),
                Some(n) => {
                    let n = n as u64;
                    self.open
                        .push(if matches!(kind, '%' | '|') { n * 2 } else { n });
                    Step::More
                }
                None => Step::Garbage,
            },
            _ => Step::Garbage,
        }
    }

    /// Scans one byte.
    fn byte(&mut self, b: u8, limit: u64) -> Step {
        self.reply_bytes += 1;
        let over = self.reply_bytes > limit && !self.discarding;
        if self.bulk_left > 0 {
            self.bulk_left -= 1;
            if self.bulk_left == 0 && self.element_done() {
                return Step::Done;
            }
            return if over { Step::Over } else { Step::More };
        }
        let first_of_reply = self.line.is_empty() && self.open.is_empty() && self.reply_bytes == 1;
        if first_of_reply && !b"+-:$*%_#,=(~>|!".contains(&b) {
            return Step::Garbage;
        }
        if self.line.len() < MAX_LINE {
            self.line.push(b);
        }
        if b == b'\n' {
            return self.header(limit);
        }
        if over {
            Step::Over
        } else {
            Step::More
        }
    }
}

/// The stream wrapper.
pub struct BoundedReplies<S> {
    inner: S,
    limit: u64,
    scanner: Scanner,
    /// Bytes of the reply being gathered.
    gathering: Vec<u8>,
    /// Whole replies (or synthesized errors) ready for the client.
    ready: Vec<u8>,
    /// Where the client has read `ready` up to.
    offset: usize,
    eof: bool,
}

impl<S> BoundedReplies<S> {
    pub fn new(inner: S, limit: u64) -> BoundedReplies<S> {
        BoundedReplies {
            inner,
            limit,
            scanner: Scanner::default(),
            gathering: Vec::new(),
            ready: Vec::new(),
            offset: 0,
            eof: false,
        }
    }

    fn too_large(&mut self) {
        let seen = self.scanner.reply_bytes;
        let what = match self.scanner.declared {
            Some(n) => format!("declared {n} bytes"),
            None => format!("{seen} bytes and counting"),
        };
        self.ready.extend_from_slice(
            format!(
                "-{TOO_LARGE} reply over the {} byte limit (--max-reply): {what}; the rest was read and dropped\r\n",
                self.limit
            )
            .as_bytes(),
        );
        self.gathering = Vec::new();
        self.scanner.discarding = true;
    }

    /// Hands what was gathered to the client: moved, not copied, when
    /// nothing else waits; a big gathering buffer is not kept afterwards.
    fn deliver(&mut self) {
        if self.offset >= self.ready.len() {
            self.ready.clear();
            self.offset = 0;
            std::mem::swap(&mut self.ready, &mut self.gathering);
        } else {
            self.ready.append(&mut self.gathering);
        }
        if self.gathering.capacity() > KEEP {
            self.gathering = Vec::new();
        }
    }

    fn take(&mut self, mut data: &[u8]) {
        if self.scanner.passthrough {
            self.ready.extend_from_slice(data);
            return;
        }
        while let Some((&b, rest)) = data.split_first() {
            if self.scanner.passthrough {
                self.ready.extend_from_slice(data);
                return;
            }
            // Bulk payload, all but its last byte, in one step: a 3 MB
            // CLIENT LIST is one bulk string.
            let run = (self.scanner.bulk_left.saturating_sub(1) as usize).min(data.len());
            if run > 0 {
                let room = self.limit.saturating_sub(self.scanner.reply_bytes) as usize;
                let take = if self.scanner.discarding {
                    run
                } else {
                    run.min(room)
                };
                // With no room left, the byte path below crosses the limit.
                if take > 0 {
                    self.scanner.bulk_left -= take as u64;
                    self.scanner.reply_bytes += take as u64;
                    if self.scanner.streaming {
                        self.ready.extend_from_slice(&data[..take]);
                    } else if !self.scanner.discarding {
                        self.gathering.extend_from_slice(&data[..take]);
                    }
                    data = &data[take..];
                    continue;
                }
            }
            data = rest;
            let discarding = self.scanner.discarding;
            match self.scanner.byte(b, self.limit) {
                Step::Garbage => {
                    // Not RESP: let the client's parser see it as it came.
                    self.scanner.passthrough = true;
                    self.ready.append(&mut self.gathering);
                    self.ready.push(b);
                }
                Step::Over => {
                    if !discarding {
                        self.too_large();
                    }
                }
                Step::More => {
                    if !discarding {
                        self.gathering.push(b);
                        // The header of a top-level bulk string that fits:
                        // it, and the payload after it, go up at once.
                        let s = &self.scanner;
                        if b == b'\n'
                            && s.bulk_left > 0
                            && s.open.is_empty()
                            && s.line.is_empty()
                            && s.reply_bytes + s.bulk_left <= self.limit
                        {
                            self.deliver();
                            self.scanner.streaming = true;
                        }
                    }
                }
                Step::Done => {
                    if !discarding {
                        self.gathering.push(b);
                        self.deliver();
                    }
                    self.scanner.reply_bytes = 0;
                    self.scanner.declared = None;
                    self.scanner.discarding = false;
                    self.scanner.streaming = false;
                }
            }
        }
    }
}

impl<S: AsyncRead + Unpin> AsyncRead for BoundedReplies<S> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let this = &mut *self;
        loop {
            if this.offset < this.ready.len() {
                let n = buf.remaining().min(this.ready.len() - this.offset);
                buf.put_slice(&this.ready[this.offset..this.offset + n]);
                this.offset += n;
                if this.offset == this.ready.len() {
                    // A big reply's buffer is not kept for the rest of the
                    // connection's life.
                    if this.ready.capacity() > KEEP {
                        this.ready = Vec::new();
                    } else {
                        this.ready.clear();
                    }
                    this.offset = 0;
                }
                return Poll::Ready(Ok(()));
            }
            if this.eof {
                // What was gathered of an unfinished reply goes up as it is:
                // the client reports the cut.
                if !this.gathering.is_empty() {
                    this.deliver();
                    continue;
                }
                return Poll::Ready(Ok(()));
            }
            let mut chunk = vec![0u8; 64 * 1024];
            let mut read = ReadBuf::new(&mut chunk);
            match Pin::new(&mut this.inner).poll_read(cx, &mut read) {
                Poll::Ready(Ok(())) => {
                    let filled = read.filled();
                    if filled.is_empty() {
                        this.eof = true;
                    } else {
                        this.take(filled);
                    }
                }
                Poll::Ready(Err(e)) => return Poll::Ready(Err(e)),
                Poll::Pending => return Poll::Pending,
            }
        }
    }
}

impl<S: AsyncWrite + Unpin> AsyncWrite for BoundedReplies<S> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        data: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.inner).poll_write(cx, data)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::io::AsyncReadExt;

    async fn through(input: &[u8], limit: u64) -> Vec<u8> {
        let mut s = BoundedReplies::new(input, limit);
        let mut out = Vec::new();
        s.read_to_end(&mut out).await.unwrap();
        out
    }

    fn run<F: std::future::Future>(f: F) -> F::Output {
        tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap()
            .block_on(f)
    }

    #[test]
    fn replies_under_the_limit_pass_whole() {
        let input = b"+OK\r\n*2\r\n$3\r\nfoo\r\n:1\r\n%1\r\n+k\r\n*1\r\n$-1\r\n$0\r\n\r\n";
        assert_eq!(run(through(input, 100)), input.to_vec());
    }

    #[test]
    fn an_oversized_bulk_becomes_an_error_and_the_next_reply_survives() {
        let mut input = b"$999999999999\r\n".to_vec();
        input.extend_from_slice(&[b'x'; 500]);
        let out = String::from_utf8(run(through(&input, 100))).unwrap();
        assert!(
            out.starts_with("-CACHECTL_TOO_LARGE reply over the 100 byte limit"),
            "{out}"
        );
        assert!(out.contains("declared 999999999999 bytes"), "{out}");

        let mut input = b"$150\r\n".to_vec();
        input.extend_from_slice(&[b'y'; 150]);
        input.extend_from_slice(b"\r\n+PONG\r\n");
        let out = String::from_utf8(run(through(&input, 100))).unwrap();
        assert!(out.starts_with("-CACHECTL_TOO_LARGE"), "{out}");
        assert!(out.ends_with("dropped\r\n+PONG\r\n"), "{out}");
    }

    #[test]
    fn an_aggregate_growing_past_the_limit_is_cut() {
        let mut input = b"*1000\r\n".to_vec();
        for _ in 0..1000 {
            input.extend_from_slice(b"$2\r\nab\r\n");
        }
        input.extend_from_slice(b":7\r\n");
        let out = String::from_utf8(run(through(&input, 1000))).unwrap();
        assert!(out.starts_with("-CACHECTL_TOO_LARGE"), "{out}");
        assert!(out.contains("1001 bytes and counting"), "{out}");
        assert!(out.ends_with(":7\r\n"), "{out}");
    }

    #[test]
    fn not_resp_passes_through_for_the_parser_to_name() {
        let input = b"HTTP/1.1 400 Bad Request\r\n\r\n";
        assert_eq!(run(through(input, 100)), input.to_vec());
    }
}
