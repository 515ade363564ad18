//! Charts drawn on the server as SVG (plotters' SVG backend): pages show
//! them as images, with the same figures in a table beside them.

use plotters::prelude::*;

/// Width and height of a chart, in pixels.
const SIZE: (u32, u32) = (720, 360);

/// A vertical bar chart of `bars` (label, count).
pub fn bar_chart(title: &str, x_desc: &str, y_desc: &str, bars: &[(String, i64)]) -> Result<String, String> {
    let mut svg = String::new();
    draw(&mut svg, title, x_desc, y_desc, bars).map_err(|e| format!("Không vẽ được biểu đồ: {e}"))?;
    Ok(svg)
}

fn draw(svg: &mut String, title: &str, x_desc: &str, y_desc: &str, bars: &[(String, i64)]) -> Result<(), String> {
    let e = |e: &dyn std::fmt::Display| e.to_string();
    let root = SVGBackend::with_string(svg, SIZE).into_drawing_area();
    root.fill(&WHITE).map_err(|x| e(&x))?;
    let top = bars.iter().map(|b| b.1).max().unwrap_or(0).max(1);
    let n = bars.len().max(1) as i32;
    let mut chart = ChartBuilder::on(&root)
        .caption(title, ("sans-serif", 20))
        .margin(12)
        .x_label_area_size(44)
        .y_label_area_size(60)
        .build_cartesian_2d((0..n - 1).into_segmented(), 0i64..top + top / 10 + 1)
        .map_err(|x| e(&x))?;
    chart
        .configure_mesh()
        .disable_x_mesh()
        .x_desc(x_desc)
        .y_desc(y_desc)
        .x_labels(bars.len().min(30))
        .x_label_formatter(&|v| match v {
            SegmentValue::CenterOf(i) | SegmentValue::Exact(i) => {
                bars.get(*i as usize).map(|b| b.0.clone()).unwrap_or_default()
            }
            SegmentValue::Last => String::new(),
        })
        .draw()
        .map_err(|x| e(&x))?;
    chart
        .draw_series(
            Histogram::vertical(&chart)
                .style(RGBColor(0xb7, 0x1c, 0x1c).filled())
                .margin(6)
                .data(bars.iter().enumerate().map(|(i, b)| (i as i32, b.1))),
        )
        .map_err(|x| e(&x))?;
    root.present().map_err(|x| e(&x))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bar_chart_is_an_svg_with_one_bar_per_value() {
        let bars: Vec<(String, i64)> = (0..=3).map(|i| (i.to_string(), [2, 5, 0, 9][i as usize])).collect();
        let svg = bar_chart("Phân bố số câu đúng", "Số câu đúng", "Người dự thi", &bars).unwrap();
        assert!(svg.starts_with("<svg") && svg.ends_with("</svg>\n"), "{svg}");
        assert!(svg.contains("Phân bố số câu đúng"));
        // One bar per value, left to right, as tall as its count.
        let attr = |l: &str, a: &str| -> i64 {
            l.split(&format!(" {a}=\"")).nth(1).and_then(|v| v.split('"').next()).unwrap().parse().unwrap()
        };
        let mut bars: Vec<(i64, i64)> = svg
            .lines()
            .filter(|l| l.contains(r##"fill="#B71C1C""##))
            .map(|l| (attr(l, "x"), attr(l, "height")))
            .collect();
        bars.sort();
        let heights: Vec<i64> = bars.iter().map(|b| b.1).collect();
        assert_eq!(heights.len(), 4, "{svg}");
        assert_eq!(heights[2], 0);
        assert!(heights[0] < heights[1] && heights[1] < heights[3], "{heights:?}");
        assert!(svg.contains("Số câu đúng") && svg.contains("Người dự thi"));
    }
}
