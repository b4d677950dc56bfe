package dev.stevedore.server.status;

import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * A small horizontal bar chart as inline SVG: one labelled bar per value, scaled to the largest.
 */
final class BarChart {
  private static final int WIDTH = 460;
  private static final int LABEL_WIDTH = 130;
  private static final int VALUE_WIDTH = 90;
  private static final int BAR_AREA = WIDTH - LABEL_WIDTH - VALUE_WIDTH;
  private static final int ROW = 30;
  private static final int BAR = 18;

  private BarChart() {}

  /**
   * One bar.
   *
   * @param label what it measures
   * @param value its length, relative to the other bars
   * @param valueText the value as shown beside the bar
   * @param cssClass the CSS class that colours it
   */
  record Bar(String label, double value, String valueText, String cssClass) {
    Bar {
      Objects.requireNonNull(label, "label");
      Objects.requireNonNull(valueText, "valueText");
      Objects.requireNonNull(cssClass, "cssClass");
      if (!(value >= 0)) {
        throw new IllegalArgumentException("bar value must be a non-negative number: " + value);
      }
    }
  }

  /** An {@code <svg>} element titled {@code title}; all text is escaped. */
  static String svg(String title, List<Bar> bars) {
    double max = bars.stream().mapToDouble(Bar::value).max().orElse(0);
    int height = Math.max(1, bars.size()) * ROW;
    StringBuilder svg = new StringBuilder(512);
    svg.append(
            String.format(
                Locale.ROOT,
                "<svg class=\"chart\" xmlns=\"http://www.w3.org/2000/svg\" role=\"img\""
                    + " width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" aria-label=\"",
                WIDTH,
                height,
                WIDTH,
                height))
        .append(Html.escape(title))
        .append("\"><title>")
        .append(Html.escape(title))
        .append("</title>");
    for (int i = 0; i < bars.size(); i++) {
      Bar bar = bars.get(i);
      int top = i * ROW;
      double length = max > 0 ? bar.value() / max * BAR_AREA : 0;
      if (bar.value() > 0) {
        length = Math.max(length, 2); // a non-zero value stays visible
      }
      int textY = top + ROW / 2 + 5;
      svg.append(
              String.format(
                  Locale.ROOT,
                  "<text class=\"label\" x=\"0\" y=\"%d\">%s</text>",
                  textY,
                  Html.escape(bar.label())))
          .append(
              String.format(
                  Locale.ROOT,
                  "<rect class=\"bar %s\" x=\"%d\" y=\"%d\" width=\"%.1f\" height=\"%d\" rx=\"3\">"
                      + "<title>%s: %s</title></rect>",
                  Html.escape(bar.cssClass()),
                  LABEL_WIDTH,
                  top + (ROW - BAR) / 2,
                  length,
                  BAR,
                  Html.escape(bar.label()),
                  Html.escape(bar.valueText())))
          .append(
              String.format(
                  Locale.ROOT,
                  "<text class=\"value\" x=\"%.1f\" y=\"%d\">%s</text>",
                  LABEL_WIDTH + length + 6,
                  textY,
                  Html.escape(bar.valueText())));
    }
    return svg.append("</svg>").toString();
  }
}
