package dev.stevedore.server.status;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.stevedore.server.status.BarChart.Bar;
import java.util.List;
import org.junit.jupiter.api.Test;

class BarChartTest {
  @Test
  void svg_scalesBarsToTheLargest_andEscapesText() {
    String svg =
        BarChart.svg(
            "a <chart>",
            List.of(new Bar("big & bold", 100, "100", "hit"), new Bar("half", 50, "50", "miss")));

    assertThat(svg)
        .startsWith("<svg class=\"chart\"")
        .endsWith("</svg>")
        .contains("<title>a &lt;chart&gt;</title>")
        .contains(">big &amp; bold</text>")
        .contains("class=\"bar hit\" x=\"130\" y=\"6\" width=\"240.0\"")
        .contains("class=\"bar miss\" x=\"130\" y=\"36\" width=\"120.0\"");
  }

  @Test
  void svg_allZero_drawsEmptyBars() {
    String svg = BarChart.svg("t", List.of(new Bar("none", 0, "0", "hit")));

    assertThat(svg).contains("width=\"0.0\"");
  }

  @Test
  void svg_tinyValue_stillVisible() {
    String svg =
        BarChart.svg(
            "t", List.of(new Bar("huge", 1e12, "", "hit"), new Bar("tiny", 1, "", "miss")));

    assertThat(svg).contains("class=\"bar miss\" x=\"130\" y=\"36\" width=\"2.0\"");
  }

  @Test
  void bar_rejectsNegativeOrNaN() {
    assertThatThrownBy(() -> new Bar("x", -1, "", "hit"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new Bar("x", Double.NaN, "", "hit"))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
