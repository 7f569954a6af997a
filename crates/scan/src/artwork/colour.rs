//! An album's dominant colour and BlurHash, computed from a small thumbnail.

use image::imageops::{self, FilterType};
use image::{DynamicImage, RgbImage};

/// Bits kept per channel when binning colours: 16 levels per channel, 4096 bins.
const BITS_PER_CHANNEL: u32 = 4;
/// A bin whose mean is this bright on every channel is "near white".
const NEAR_WHITE_MIN: u8 = 235;
/// A bin whose mean is this dark on every channel is "near black".
const NEAR_BLACK_MAX: u8 = 20;
/// Near-white and near-black are skipped only if the other colours cover at least this share of
/// the image (1/20): a black cover with a speck of colour stays black.
const MIN_OTHER_SHARE_DENOMINATOR: u64 = 20;

#[derive(Clone, Copy, Default)]
struct Bin {
    count: u64,
    red: u64,
    green: u64,
    blue: u64,
}

impl Bin {
    fn mean(&self) -> [u8; 3] {
        let channel = |sum: u64| ((sum + self.count / 2) / self.count.max(1)) as u8;
        [channel(self.red), channel(self.green), channel(self.blue)]
    }

    fn is_extreme(&self) -> bool {
        let [red, green, blue] = self.mean();
        let (low, high) = (red.min(green).min(blue), red.max(green).max(blue));
        low >= NEAR_WHITE_MIN || high <= NEAR_BLACK_MAX
    }
}

/// The most common colour (quantised histogram; the winner is its bin's mean colour),
/// formatted `rgb(r, g, b)`.
pub(super) fn dominant_colour(image: &RgbImage) -> String {
    let shift = 8 - BITS_PER_CHANNEL;
    let mut bins = vec![Bin::default(); 1 << (3 * BITS_PER_CHANNEL)];
    for pixel in image.pixels() {
        let [red, green, blue] = pixel.0;
        let index = (usize::from(red >> shift) << (2 * BITS_PER_CHANNEL))
            | (usize::from(green >> shift) << BITS_PER_CHANNEL)
            | usize::from(blue >> shift);
        let bin = &mut bins[index];
        bin.count += 1;
        bin.red += u64::from(red);
        bin.green += u64::from(green);
        bin.blue += u64::from(blue);
    }
    let total: u64 = bins.iter().map(|bin| bin.count).sum();
    let others: u64 = bins
        .iter()
        .filter(|bin| bin.count > 0 && !bin.is_extreme())
        .map(|bin| bin.count)
        .sum();
    let skip_extremes = others > 0 && others * MIN_OTHER_SHARE_DENOMINATOR >= total;
    let winner = bins
        .iter()
        .filter(|bin| bin.count > 0 && !(skip_extremes && bin.is_extreme()))
        .max_by_key(|bin| bin.count)
        .copied()
        .unwrap_or_default();
    let [red, green, blue] = winner.mean();
    format!("rgb({red}, {green}, {blue})")
}

/// BlurHash of a copy that fits in `max_side` x `max_side`. None only for an empty image.
pub(super) fn blurhash(image: &RgbImage, components: u32, max_side: u32) -> Option<String> {
    let (width, height) = image.dimensions();
    if width == 0 || height == 0 {
        return None;
    }
    let scale = f64::from(max_side) / f64::from(width.max(height));
    let small = if scale < 1.0 {
        let fit = |side: u32| ((f64::from(side) * scale).round() as u32).max(1);
        imageops::resize(image, fit(width), fit(height), FilterType::Triangle)
    } else {
        image.clone()
    };
    let rgba = DynamicImage::ImageRgb8(small).to_rgba8();
    blurhash::encode(
        components,
        components,
        rgba.width(),
        rgba.height(),
        rgba.as_raw(),
    )
    .ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use image::Rgb;

    #[test]
    fn solid_colour_is_reported_exactly() {
        let image = RgbImage::from_pixel(10, 10, Rgb([200, 30, 60]));
        assert_eq!(dominant_colour(&image), "rgb(200, 30, 60)");
    }

    #[test]
    fn white_background_gives_way_to_the_subject() {
        let mut image = RgbImage::from_pixel(10, 10, Rgb([255, 255, 255]));
        for x in 0..10 {
            for y in 0..3 {
                image.put_pixel(x, y, Rgb([20, 90, 180]));
            }
        }
        assert_eq!(dominant_colour(&image), "rgb(20, 90, 180)");
    }

    #[test]
    fn an_all_black_image_is_black() {
        let image = RgbImage::from_pixel(4, 4, Rgb([0, 0, 0]));
        assert_eq!(dominant_colour(&image), "rgb(0, 0, 0)");
    }

    #[test]
    fn blurhash_has_the_length_of_4x4_components() {
        let image = RgbImage::from_pixel(300, 150, Rgb([10, 200, 30]));
        let hash = blurhash(&image, 4, 100).expect("hash");
        // 1 size flag + 1 max AC + 4 DC + 2 per AC component (15).
        assert_eq!(hash.len(), 6 + 2 * 15);
    }
}
