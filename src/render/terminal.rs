//! The live screen (`cachectl watch`): the terminal's alternate screen in
//! raw mode, drawn in place a frame at a time, and put back as it was
//! however the watch ends: a key, a signal, an error or a panic (the
//! guard's `Drop`).

use std::io::{self, Write};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use crossterm::event::{self, Event, KeyCode, KeyEventKind, KeyModifiers};
use crossterm::{cursor, queue, terminal};

/// What the operator asked for at the keyboard.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Key {
    /// q, Esc or Ctrl-C.
    Quit,
    /// r: refresh now.
    Refresh,
    /// The terminal changed size.
    Resize,
}

/// The alternate screen, in raw mode, while it lives.
pub struct Screen {
    colour: bool,
    stop_keys: Arc<AtomicBool>,
}

impl Screen {
    /// Enters the alternate screen and raw mode; the keys arrive on the
    /// channel returned, from a thread of their own.
    pub fn enter() -> io::Result<(Screen, tokio::sync::mpsc::UnboundedReceiver<Key>)> {
        terminal::enable_raw_mode()?;
        let screen = Screen {
            colour: anstream::AutoStream::choice(&io::stdout()) != anstream::ColorChoice::Never,
            stop_keys: Arc::new(AtomicBool::new(false)),
        };
        let mut out = io::stdout();
        queue!(out, terminal::EnterAlternateScreen, cursor::Hide)?;
        out.flush()?;
        let (tx, rx) = tokio::sync::mpsc::unbounded_channel();
        let stop = screen.stop_keys.clone();
        std::thread::spawn(move || {
            while !stop.load(Ordering::SeqCst) {
                match event::poll(Duration::from_millis(100)) {
                    Ok(false) => {}
                    Ok(true) => {
                        let key = match event::read() {
                            Ok(Event::Key(k)) if k.kind != KeyEventKind::Release => match k.code {
                                KeyCode::Char('q' | 'Q') | KeyCode::Esc => Some(Key::Quit),
                                KeyCode::Char('c')
                                    if k.modifiers.contains(KeyModifiers::CONTROL) =>
                                {
                                    Some(Key::Quit)
                                }
                                KeyCode::Char('r' | 'R') => Some(Key::Refresh),
                                _ => None,
                            },
                            Ok(Event::Resize(..)) => Some(Key::Resize),
                            Ok(_) => None,
                            Err(_) => Some(Key::Quit),
                        };
                        if let Some(key) = key {
                            if tx.send(key).is_err() {
                                break;
                            }
                        }
                    }
                    // No terminal to read keys from after all: quit.
                    Err(_) => {
                        let _ = tx.send(Key::Quit);
                        break;
                    }
                }
            }
        });
        Ok((screen, rx))
    }

    /// The terminal's size: columns, rows.
    pub fn size() -> (u16, u16) {
        terminal::size().unwrap_or((80, 24))
    }

    /// Draws `lines` from the top, each line cleared to its end and the
    /// rest of the screen below them cleared, in one synchronised update
    /// (no flicker where the terminal supports it).
    pub fn draw(&self, lines: &[String]) -> io::Result<()> {
        let mut out = io::stdout().lock();
        queue!(out, terminal::BeginSynchronizedUpdate, cursor::MoveTo(0, 0))?;
        for (i, line) in lines.iter().enumerate() {
            if i > 0 {
                queue!(out, cursor::MoveToNextLine(1))?;
            }
            if self.colour {
                out.write_all(line.as_bytes())?;
            } else {
                out.write_all(anstream::adapter::strip_str(line).to_string().as_bytes())?;
            }
            queue!(out, terminal::Clear(terminal::ClearType::UntilNewLine))?;
        }
        queue!(
            out,
            cursor::MoveToNextLine(1),
            terminal::Clear(terminal::ClearType::FromCursorDown),
            terminal::EndSynchronizedUpdate
        )?;
        out.flush()
    }
}

impl Drop for Screen {
    fn drop(&mut self) {
        self.stop_keys.store(true, Ordering::SeqCst);
        let mut out = io::stdout();
        let _ = queue!(out, cursor::Show, terminal::LeaveAlternateScreen);
        let _ = out.flush();
        let _ = terminal::disable_raw_mode();
    }
}
