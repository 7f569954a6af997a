//! On-the-fly transcoding through ffmpeg for clients that ask for a lower bitrate or another
//! container. ffmpeg's arguments are built as a list (never through a shell), its stdout is the
//! response body, and the child is killed as soon as the body is dropped (client gone).

use std::ffi::OsString;
use std::io;
use std::path::{Path, PathBuf};
use std::process::Stdio;

use axum::body::{Body, Bytes};
use futures_util::stream;
use tokio::io::{AsyncRead, AsyncReadExt};
use tokio::process::{Child, ChildStdout, Command};

/// Lossy encodes never go above this (except FLAC, which has no bitrate).
pub const MAX_LOSSY_KBPS: u32 = 320;
/// Below this the lossy encoders produce noise; requests under it are raised to it.
pub const MIN_LOSSY_KBPS: u32 = 32;
/// Used when neither the source nor the request gives a bitrate.
const FALLBACK_KBPS: u32 = MAX_LOSSY_KBPS;
/// Read size for ffmpeg's stdout.
const CHUNK: usize = 64 * 1024;
/// How much of ffmpeg's stderr is kept for the log when it fails.
const STDERR_KEEP: usize = 4 * 1024;

/// Output formats a client may ask for with `container=`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Container {
    Mp3,
    Aac,
    Ogg,
    Opus,
    Flac,
    Webm,
}

impl Container {
    pub fn parse(name: &str) -> Option<Self> {
        match name.trim().to_ascii_lowercase().as_str() {
            "mp3" => Some(Self::Mp3),
            "aac" | "adts" => Some(Self::Aac),
            "ogg" | "vorbis" => Some(Self::Ogg),
            "opus" => Some(Self::Opus),
            "flac" => Some(Self::Flac),
            "webm" => Some(Self::Webm),
            _ => None,
        }
    }

    pub fn content_type(self) -> &'static str {
        match self {
            Self::Mp3 => "audio/mpeg",
            Self::Aac => "audio/aac",
            Self::Ogg | Self::Opus => "audio/ogg",
            Self::Flac => "audio/flac",
            Self::Webm => "audio/webm",
        }
    }

    /// File extension for the download name.
    pub fn extension(self) -> &'static str {
        match self {
            Self::Mp3 => "mp3",
            Self::Aac => "aac",
            Self::Ogg => "ogg",
            Self::Opus => "opus",
            Self::Flac => "flac",
            Self::Webm => "webm",
        }
    }

    pub fn is_lossless(self) -> bool {
        self == Self::Flac
    }

    /// Encoder and muxer arguments (after the input, before the output).
    fn codec_args(self) -> &'static [&'static str] {
        match self {
            // A pipe cannot be rewound to fill in a Xing header, so don't write one.
            Self::Mp3 => &["-c:a", "libmp3lame", "-write_xing", "0", "-f", "mp3"],
            Self::Aac => &["-c:a", "aac", "-f", "adts"],
            Self::Ogg => &["-c:a", "libvorbis", "-f", "ogg"],
            Self::Opus => &["-c:a", "libopus", "-f", "opus"],
            Self::Flac => &["-c:a", "flac", "-f", "flac"],
            Self::Webm => &["-c:a", "libopus", "-f", "webm"],
        }
    }
}

/// What to produce: the container and, for lossy ones, the bitrate in kbps.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TranscodePlan {
    pub container: Container,
    pub bitrate_kbps: Option<u32>,
}

impl TranscodePlan {
    /// bitrate = min(source, requested), capped at 320 kbps (and floored at 32) for lossy
    /// containers; FLAC carries no bitrate. A source bitrate of 0 means "unknown".
    pub fn new(container: Container, source_kbps: u32, requested_kbps: Option<u32>) -> Self {
        if container.is_lossless() {
            return Self {
                container,
                bitrate_kbps: None,
            };
        }
        let source = (source_kbps > 0).then_some(source_kbps);
        let chosen = match (source, requested_kbps) {
            (Some(source), Some(requested)) => source.min(requested),
            (Some(only), None) | (None, Some(only)) => only,
            (None, None) => FALLBACK_KBPS,
        };
        Self {
            container,
            bitrate_kbps: Some(chosen.clamp(MIN_LOSSY_KBPS, MAX_LOSSY_KBPS)),
        }
    }

    /// The full ffmpeg argument list for transcoding `input` to stdout.
    pub fn ffmpeg_args(&self, input: &Path) -> Vec<OsString> {
        let mut input_arg = OsString::from("file:");
        // The "file:" protocol prefix keeps ffmpeg from reading a path as another protocol.
        input_arg.push(input.as_os_str());
        let mut args: Vec<OsString> = ["-hide_banner", "-nostdin", "-loglevel", "error", "-i"]
            .iter()
            .map(OsString::from)
            .collect();
        args.push(input_arg);
        // First audio stream only; cover art (a video stream) and subtitles are dropped.
        args.extend(
            ["-map", "0:a:0", "-vn", "-sn", "-dn"]
                .iter()
                .map(OsString::from),
        );
        args.extend(self.container.codec_args().iter().map(OsString::from));
        if let Some(kbps) = self.bitrate_kbps {
            args.push("-b:a".into());
            args.push(format!("{kbps}k").into());
        }
        args.push("pipe:1".into());
        args
    }

    /// The value of the `X-Transcoded-Bitrate` header: kbps, or the source bitrate for FLAC.
    pub fn reported_bitrate(&self, source_kbps: u32) -> u32 {
        self.bitrate_kbps.unwrap_or(source_kbps)
    }
}

/// Parses `quality=`: a bitrate in kbps ("192", "192k", "192kbps"). `None` for "original".
pub fn parse_quality(text: &str) -> Result<Option<u32>, String> {
    let text = text.trim().to_ascii_lowercase();
    if text.is_empty() || text == "original" {
        return Ok(None);
    }
    let digits = text
        .strip_suffix("kbps")
        .or_else(|| text.strip_suffix('k'))
        .unwrap_or(&text);
    match digits.parse::<u32>() {
        Ok(kbps) if kbps > 0 => Ok(Some(kbps)),
        _ => Err(format!(
            "Invalid quality {text:?}: expected a bitrate in kbps (e.g. 128) or \"original\""
        )),
    }
}

/// What the `quality` and `container` parameters ask for: `None` for the file itself, else the
/// container and the requested kbps. `quality=original` always means the file itself, whatever
/// container comes with it (the web client sends `quality=original&container=mp3` by default);
/// a bitrate without a container means MP3.
pub fn requested_output(
    quality: Option<&str>,
    container: Option<&str>,
) -> Result<Option<(Container, Option<u32>)>, String> {
    if quality.is_some_and(|q| q.trim().eq_ignore_ascii_case("original")) {
        return Ok(None);
    }
    let kbps = quality.map(parse_quality).transpose()?.flatten();
    let container = match container.map(str::trim).filter(|name| !name.is_empty()) {
        None => None,
        Some(name) => Some(Container::parse(name).ok_or_else(|| {
            format!("Invalid container {name:?}: expected mp3, aac, ogg, opus, flac or webm")
        })?),
    };
    Ok(match (container, kbps) {
        (None, None) => None,
        (Some(container), kbps) => Some((container, kbps)),
        (None, Some(kbps)) => Some((Container::Mp3, Some(kbps))),
    })
}

#[derive(Debug, thiserror::Error)]
pub enum TranscodeError {
    #[error("ffmpeg was not found at {0}")]
    FfmpegMissing(PathBuf),
    #[error("could not start ffmpeg: {0}")]
    Spawn(io::Error),
    #[error("ffmpeg failed: {0}")]
    Failed(String),
}

/// A running ffmpeg whose first bytes have already arrived, ready to become a response body.
pub struct Transcode {
    first_chunk: Bytes,
    child: Child,
    stdout: ChildStdout,
    stderr_tail: tokio::task::JoinHandle<String>,
}

/// Starts ffmpeg and waits for its first output, so that an unreadable file is reported as an
/// error status instead of a 200 with an empty body.
pub async fn start(
    ffmpeg: &Path,
    input: &Path,
    plan: &TranscodePlan,
) -> Result<Transcode, TranscodeError> {
    let mut child = Command::new(ffmpeg)
        .args(plan.ffmpeg_args(input))
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .map_err(|err| match err.kind() {
            io::ErrorKind::NotFound | io::ErrorKind::PermissionDenied => {
                TranscodeError::FfmpegMissing(ffmpeg.to_path_buf())
            }
            _ => TranscodeError::Spawn(err),
        })?;
    let (Some(mut stdout), Some(stderr)) = (child.stdout.take(), child.stderr.take()) else {
        return Err(TranscodeError::Spawn(io::Error::other(
            "ffmpeg pipes were not created",
        )));
    };
    // Drain stderr continuously: a full pipe would stall ffmpeg.
    let stderr_tail = tokio::spawn(read_tail(stderr, STDERR_KEEP));

    let mut buffer = vec![0u8; CHUNK];
    let read = stdout
        .read(&mut buffer)
        .await
        .map_err(TranscodeError::Spawn)?;
    if read == 0 {
        let status = child.wait().await.map_err(TranscodeError::Spawn)?;
        let message = stderr_tail.await.unwrap_or_default();
        let reason = if message.trim().is_empty() {
            format!("no output ({status})")
        } else {
            message.trim().to_string()
        };
        return Err(TranscodeError::Failed(reason));
    }
    buffer.truncate(read);
    Ok(Transcode {
        first_chunk: Bytes::from(buffer),
        child,
        stdout,
        stderr_tail,
    })
}

impl Transcode {
    /// The response body: the first chunk, then ffmpeg's stdout until it ends. If ffmpeg exits
    /// with an error mid-way the body ends with an error, so the client sees a broken transfer
    /// instead of a silently truncated file. Dropping the body kills ffmpeg.
    pub fn into_body(self) -> Body {
        struct State {
            pending: Option<Bytes>,
            child: Child,
            stdout: ChildStdout,
            stderr_tail: Option<tokio::task::JoinHandle<String>>,
            done: bool,
        }
        let state = State {
            pending: Some(self.first_chunk),
            child: self.child,
            stdout: self.stdout,
            stderr_tail: Some(self.stderr_tail),
            done: false,
        };
        let chunks = stream::unfold(state, |mut state| async move {
            if let Some(first) = state.pending.take() {
                return Some((Ok(first), state));
            }
            if state.done {
                return None;
            }
            let mut buffer = vec![0u8; CHUNK];
            match state.stdout.read(&mut buffer).await {
                Ok(0) => {
                    state.done = true;
                    match state.child.wait().await {
                        Ok(status) if status.success() => None,
                        outcome => {
                            let tail = match state.stderr_tail.take() {
                                Some(handle) => handle.await.unwrap_or_default(),
                                None => String::new(),
                            };
                            tracing::warn!(?outcome, stderr = %tail.trim(), "ffmpeg ended with an error");
                            Some((Err(io::Error::other("transcoding failed")), state))
                        }
                    }
                }
                Ok(read) => {
                    buffer.truncate(read);
                    Some((Ok(Bytes::from(buffer)), state))
                }
                Err(err) => {
                    state.done = true;
                    Some((Err(err), state))
                }
            }
        });
        Body::from_stream(chunks)
    }
}

/// Reads a stream to its end and returns the last `keep` bytes as text.
async fn read_tail(mut reader: impl AsyncRead + Unpin, keep: usize) -> String {
    let mut tail: Vec<u8> = Vec::new();
    let mut buffer = [0u8; 4096];
    loop {
        match reader.read(&mut buffer).await {
            Ok(0) | Err(_) => break,
            Ok(read) => {
                tail.extend_from_slice(&buffer[..read]);
                if tail.len() > keep {
                    tail.drain(..tail.len() - keep);
                }
            }
        }
    }
    String::from_utf8_lossy(&tail).into_owned()
}

/// True when `ffmpeg` names an executable file, directly or through `PATH`. Used to answer HEAD
/// requests without starting a transcode.
pub fn ffmpeg_available(ffmpeg: &Path) -> bool {
    if ffmpeg.components().count() > 1 {
        return ffmpeg.is_file();
    }
    std::env::var_os("PATH")
        .map(|paths| std::env::split_paths(&paths).any(|dir| dir.join(ffmpeg).is_file()))
        .unwrap_or(false)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bitrate_is_the_lower_of_source_and_request_within_bounds() {
        let plan =
            |source, requested| TranscodePlan::new(Container::Mp3, source, requested).bitrate_kbps;
        assert_eq!(plan(1411, Some(192)), Some(192));
        assert_eq!(plan(128, Some(320)), Some(128));
        assert_eq!(plan(1411, None), Some(320));
        assert_eq!(plan(1411, Some(999)), Some(320));
        assert_eq!(plan(0, Some(96)), Some(96));
        assert_eq!(plan(0, None), Some(320));
        assert_eq!(plan(1411, Some(8)), Some(MIN_LOSSY_KBPS));
        assert_eq!(
            TranscodePlan::new(Container::Flac, 1411, Some(128)).bitrate_kbps,
            None
        );
    }

    #[test]
    fn arguments_are_a_list_with_the_input_behind_the_file_protocol() {
        let plan = TranscodePlan::new(Container::Opus, 900, Some(96));
        let args = plan.ffmpeg_args(Path::new("/music/a b; rm -rf ~/x.flac"));
        let args: Vec<String> = args
            .iter()
            .map(|a| a.to_string_lossy().into_owned())
            .collect();
        let input = args.iter().position(|a| a == "-i").unwrap() + 1;
        assert_eq!(args[input], "file:/music/a b; rm -rf ~/x.flac");
        assert!(args.windows(2).any(|w| w == ["-c:a", "libopus"]));
        assert!(args.windows(2).any(|w| w == ["-b:a", "96k"]));
        assert_eq!(args.last().unwrap(), "pipe:1");
    }

    #[test]
    fn quality_parsing() {
        assert_eq!(parse_quality("original"), Ok(None));
        assert_eq!(parse_quality(""), Ok(None));
        assert_eq!(parse_quality("128"), Ok(Some(128)));
        assert_eq!(parse_quality("192k"), Ok(Some(192)));
        assert_eq!(parse_quality("256kbps"), Ok(Some(256)));
        assert!(parse_quality("high").is_err());
        assert!(parse_quality("0").is_err());
        assert!(parse_quality("-5").is_err());
    }

    #[test]
    fn requested_outputs() {
        assert_eq!(requested_output(None, None), Ok(None));
        assert_eq!(requested_output(Some("original"), Some("mp3")), Ok(None));
        assert_eq!(
            requested_output(Some("Original"), Some("nonsense")),
            Ok(None)
        );
        assert_eq!(requested_output(Some(""), Some("")), Ok(None));
        assert_eq!(
            requested_output(None, Some("ogg")),
            Ok(Some((Container::Ogg, None)))
        );
        assert_eq!(
            requested_output(Some("128"), None),
            Ok(Some((Container::Mp3, Some(128))))
        );
        assert_eq!(
            requested_output(Some("96"), Some("opus")),
            Ok(Some((Container::Opus, Some(96))))
        );
        assert!(requested_output(None, Some("wav"))
            .unwrap_err()
            .contains("wav"));
        assert!(requested_output(Some("max"), Some("mp3")).is_err());
    }

    #[test]
    fn containers() {
        assert_eq!(Container::parse("MP3"), Some(Container::Mp3));
        assert_eq!(Container::parse("wav"), None);
        assert_eq!(Container::Webm.content_type(), "audio/webm");
        assert_eq!(Container::Opus.content_type(), "audio/ogg");
    }

    #[tokio::test]
    async fn missing_ffmpeg_is_reported_as_such() {
        let plan = TranscodePlan::new(Container::Mp3, 320, None);
        let missing = Path::new("/nonexistent/ffmpeg-binary");
        let err = start(missing, Path::new("/tmp/x.flac"), &plan)
            .await
            .err()
            .unwrap();
        assert!(matches!(err, TranscodeError::FfmpegMissing(_)), "{err}");
        assert!(!ffmpeg_available(missing));
    }
}
