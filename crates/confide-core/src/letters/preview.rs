//! A scan's pages, for a manager to look at: counted at import, rendered on demand, and never
//! written anywhere. PDFs are drawn by poppler's `pdftoppm`, which runs no script a PDF may
//! carry, reading the file from a pipe and writing the picture to a pipe, with a deadline (a
//! hostile PDF must not hang the app). TIFFs (multi-page, as office scanners make them) are
//! decoded here and re-encoded as PNG, which the window can show; PNG and JPEG are shown as
//! they are.

use std::io::{Read, Write};
use std::process::{Command, Stdio};
use std::time::Duration;

use super::ScanKind;
use crate::CoreError;

/// One page, ready for an `<img>`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Page {
    pub mime: &'static str,
    pub data: Vec<u8>,
}

/// How sharp a PDF page is drawn: enough to read handwriting, small enough to send quickly.
const PDF_DPI: &str = "110";
const DEADLINE: Duration = Duration::from_secs(30);

fn unreadable(what: &str) -> CoreError {
    CoreError::Invalid(format!("Confide cannot read this {what}: it may be damaged, or not a scan at all"))
}

/// How many pages a scan has.
pub fn page_count(kind: ScanKind, bytes: &[u8]) -> Result<u32, CoreError> {
    match kind {
        ScanKind::Png | ScanKind::Jpeg => Ok(1),
        ScanKind::Tiff => {
            let mut d = tiff::decoder::Decoder::new(std::io::Cursor::new(bytes)).map_err(|_| unreadable("TIFF"))?;
            let mut n = 1;
            while d.more_images() {
                d.next_image().map_err(|_| unreadable("TIFF"))?;
                n += 1;
            }
            Ok(n)
        }
        ScanKind::Pdf => {
            let out = run(Command::new("pdfinfo").arg("-"), bytes)?;
            let text = String::from_utf8_lossy(&out);
            text.lines()
                .find_map(|l| l.strip_prefix("Pages:").and_then(|n| n.trim().parse().ok()))
                .filter(|n| *n > 0)
                .ok_or_else(|| unreadable("PDF"))
        }
    }
}

/// Page `index` (from 0) of a scan, as a picture.
pub fn page(kind: ScanKind, bytes: &[u8], index: u32) -> Result<Page, CoreError> {
    match kind {
        ScanKind::Png | ScanKind::Jpeg if index == 0 => Ok(Page { mime: kind.mime(), data: bytes.to_vec() }),
        ScanKind::Png | ScanKind::Jpeg => Err(CoreError::Invalid("that page is not in this scan".into())),
        ScanKind::Tiff => tiff_page(bytes, index),
        ScanKind::Pdf => {
            let n = (index + 1).to_string();
            let data = run(
                Command::new("pdftoppm").args(["-png", "-r", PDF_DPI, "-f", &n, "-l", &n, "-singlefile", "-"]),
                bytes,
            )?;
            if !data.starts_with(b"\x89PNG") {
                return Err(unreadable("PDF page"));
            }
            Ok(Page { mime: "image/png", data })
        }
    }
}

/// Runs a poppler tool on `input` through pipes, with nothing of the environment but the path
/// (so no temporary directory is suggested to it) and a deadline.
fn run(cmd: &mut Command, input: &[u8]) -> Result<Vec<u8>, CoreError> {
    let missing =
        || CoreError::Invalid("Confide cannot show PDF scans on this computer: poppler-utils is not installed".into());
    let mut child = cmd
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|_| missing())?;
    let mut stdin = child.stdin.take().expect("piped");
    let input = input.to_vec();
    let writer = std::thread::spawn(move || {
        let _ = stdin.write_all(&input);
    });
    let mut stdout = child.stdout.take().expect("piped");
    let reader = std::thread::spawn(move || {
        let mut out = vec![];
        let _ = stdout.read_to_end(&mut out);
        out
    });
    let started = std::time::Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().map_err(|_| missing())? {
            break status;
        }
        if started.elapsed() > DEADLINE {
            let _ = child.kill();
            let _ = child.wait();
            return Err(CoreError::Invalid("this PDF took too long to draw; it may be damaged".into()));
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let _ = writer.join();
    let out = reader.join().unwrap_or_default();
    if !status.success() {
        return Err(unreadable("PDF"));
    }
    Ok(out)
}

fn tiff_page(bytes: &[u8], index: u32) -> Result<Page, CoreError> {
    use tiff::decoder::{Decoder, DecodingResult};
    use tiff::ColorType;
    let mut d = Decoder::new(std::io::Cursor::new(bytes)).map_err(|_| unreadable("TIFF"))?;
    d.seek_to_image(index as usize).map_err(|_| CoreError::Invalid("that page is not in this scan".into()))?;
    let (width, height) = d.dimensions().map_err(|_| unreadable("TIFF"))?;
    let colour = d.colortype().map_err(|_| unreadable("TIFF"))?;
    let DecodingResult::U8(pixels) = d.read_image().map_err(|_| unreadable("TIFF"))? else {
        return Err(CoreError::Invalid(
            "Confide shows 8-bit and black-and-white TIFF scans; save this one as PDF or PNG".into(),
        ));
    };
    let (png_colour, depth) = match colour {
        ColorType::Gray(1) => (png::ColorType::Grayscale, png::BitDepth::One),
        ColorType::Gray(8) => (png::ColorType::Grayscale, png::BitDepth::Eight),
        ColorType::GrayA(8) => (png::ColorType::GrayscaleAlpha, png::BitDepth::Eight),
        ColorType::RGB(8) => (png::ColorType::Rgb, png::BitDepth::Eight),
        ColorType::RGBA(8) => (png::ColorType::Rgba, png::BitDepth::Eight),
        _ => {
            return Err(CoreError::Invalid(
                "Confide shows greyscale and colour TIFF scans; save this one as PDF or PNG".into(),
            ))
        }
    };
    let mut data = vec![];
    {
        let mut enc = png::Encoder::new(&mut data, width, height);
        enc.set_color(png_colour);
        enc.set_depth(depth);
        let mut w = enc.write_header().map_err(|_| unreadable("TIFF"))?;
        w.write_image_data(&pixels).map_err(|_| unreadable("TIFF"))?;
    }
    Ok(Page { mime: "image/png", data })
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// A TIFF of `pages` greyscale pages, each filled with its own shade.
    pub fn tiff_of(pages: u8) -> Vec<u8> {
        let mut out = std::io::Cursor::new(vec![]);
        let mut enc = tiff::encoder::TiffEncoder::new(&mut out).unwrap();
        for p in 0..pages {
            enc.write_image::<tiff::encoder::colortype::Gray8>(8, 4, &[p * 40; 32]).unwrap();
        }
        out.into_inner()
    }

    #[test]
    fn a_multi_page_tiff_is_counted_and_each_page_drawn_as_png() {
        let t = tiff_of(3);
        assert_eq!(super::super::detect(&t).unwrap(), ScanKind::Tiff);
        assert_eq!(page_count(ScanKind::Tiff, &t).unwrap(), 3);
        let p = page(ScanKind::Tiff, &t, 2).unwrap();
        assert_eq!(p.mime, "image/png");
        let mut reader = png::Decoder::new(std::io::Cursor::new(p.data)).read_info().unwrap();
        let mut buf = vec![0; reader.output_buffer_size().unwrap()];
        reader.next_frame(&mut buf).unwrap();
        assert_eq!(buf[0], 80, "the third page's shade");
        assert!(page(ScanKind::Tiff, &t, 3).is_err());
    }

    #[test]
    fn damaged_scans_are_refused_in_words() {
        let e = page_count(ScanKind::Tiff, b"II*\0garbage").unwrap_err();
        assert!(e.to_string().contains("cannot read this TIFF"), "{e}");
    }
}
