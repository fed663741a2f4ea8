package io.tidewire.protocol;

import io.tidewire.protocol.ProtocolCodes.Advice;
import io.tidewire.protocol.ProtocolCodes.CloseCode;
import io.tidewire.protocol.ProtocolCodes.ErrorCode;
import io.tidewire.protocol.ProtocolCodes.OtherCloseCode;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Renders {@link ProtocolCodes} as the code tables of docs/PROTOCOL.md and as the code objects of
 * clients/js/src/codes.js (the text between their generated markers).
 */
final class CodeTables {

  private static final int WIDTH = 100;
  /** An application close code nobody lists, to ask what unlisted codes get. */
  private static final int UNLISTED_CLOSE_CODE = 4999;
  private static final String UNLISTED_ERROR_CODE = "a_code_of_a_newer_gateway";

  private CodeTables() {}

  /** The "Error codes" and "Close codes" sections of docs/PROTOCOL.md. */
  static String markdown() {
    final StringBuilder out = new StringBuilder();
    out.append("## Error codes\n\n");
    final List<String> legend = new ArrayList<>();
    for (final Advice advice : Advice.values()) {
      legend.add("**" + label(advice) + "** = " + advice.meaning());
    }
    out.append(wrap("Advice: " + String.join("; ", legend) + ".", "")).append('\n');
    out.append("| code | when | connection | advice |\n|---|---|---|---|\n");
    for (final ErrorCode code : ErrorCode.values()) {
      out.append("| `").append(code.wire()).append("` | ").append(code.when()).append(" | ")
          .append(code.connection()).append(" | ").append(label(code.advice())).append(" |\n");
    }
    out.append('\n').append(wrap("A code this version does not list (sent by a newer gateway): "
        + label(ProtocolCodes.adviceForError(UNLISTED_ERROR_CODE)) + ".", "")).append('\n');

    out.append("## Close codes\n\n");
    out.append("| code | reason | when | advice |\n|---|---|---|---|\n");
    for (final CloseCode code : CloseCode.values()) {
      out.append("| ").append(code.code()).append(" | `").append(code.reason()).append("` | ")
          .append(code.when()).append(" | ").append(label(code.advice())).append(" |\n");
    }
    out.append('\n').append(wrap("Codes the gateway never sends, which a client can still meet (from"
        + " its own WebSocket stack or a proxy in between):", "")).append('\n');
    out.append("| code | meaning | advice |\n|---|---|---|\n");
    for (final OtherCloseCode code : OtherCloseCode.values()) {
      out.append("| ").append(code.code()).append(' ').append(words(code.name())).append(" | ")
          .append(code.when()).append(" | ").append(label(code.advice())).append(" |\n");
    }
    out.append("| any other | e.g. an application code of a newer gateway | ")
        .append(label(ProtocolCodes.adviceForClose(UNLISTED_CLOSE_CODE))).append(" |\n");
    return out.toString();
  }

  /** The {@code Advice}, {@code ERROR_CODES} and {@code CLOSE_CODES} objects of codes.js. */
  static String javascript() {
    final StringBuilder out = new StringBuilder();
    out.append("/** What to do after an error or a close. */\n");
    out.append("export const Advice = Object.freeze({\n");
    for (final Advice advice : Advice.values()) {
      out.append(jsDoc(sentence(advice.meaning()), "  "));
      out.append("  ").append(advice.name()).append(": '").append(advice.wire()).append("',\n");
    }
    out.append("});\n\n");

    out.append(jsDoc("`code` of an `error` frame → advice.", ""));
    out.append("export const ERROR_CODES = Object.freeze({\n");
    for (final ErrorCode code : ErrorCode.values()) {
      out.append("  ").append(code.wire()).append(": ").append(js(code.advice())).append(",\n");
    }
    out.append("});\n\n");

    out.append(jsDoc("Close code → advice: the codes the gateway sends, and the standard codes a client"
        + " can still meet (1006 is reported locally for a connection lost without a close frame).", ""));
    out.append("export const CLOSE_CODES = Object.freeze({\n");
    out.append("  // sent by the gateway (the comment is the reason phrase)\n");
    for (final CloseCode code : CloseCode.values()) {
      out.append("  ").append(code.code()).append(": ").append(js(code.advice())).append(", // ")
          .append(code.reason()).append('\n');
    }
    out.append("  // never sent by the gateway\n");
    for (final OtherCloseCode code : OtherCloseCode.values()) {
      out.append("  ").append(code.code()).append(": ").append(js(code.advice())).append(", // ")
          .append(words(code.name())).append('\n');
    }
    out.append("});\n");
    return out.toString();
  }

  private static String label(final Advice advice) {
    return advice.wire().replace('_', ' ');
  }

  private static String js(final Advice advice) {
    return "Advice." + advice.name();
  }

  private static String words(final String constant) {
    return constant.toLowerCase(Locale.ROOT).replace('_', ' ');
  }

  private static String sentence(final String text) {
    return Character.toUpperCase(text.charAt(0)) + text.substring(1) + ".";
  }

  /** A JSDoc comment: on one line if it fits, else wrapped. */
  private static String jsDoc(final String text, final String indent) {
    final String line = indent + "/** " + text + " */";
    if (line.length() <= WIDTH) {
      return line + "\n";
    }
    return indent + "/**\n" + wrap(text, indent + " * ") + indent + " */\n";
  }

  /** {@code text} wrapped at {@link #WIDTH} columns, each line starting with {@code prefix}. */
  private static String wrap(final String text, final String prefix) {
    final StringBuilder out = new StringBuilder();
    final StringBuilder line = new StringBuilder(prefix);
    for (final String word : text.split(" ")) {
      if (line.length() > prefix.length() && line.length() + 1 + word.length() > WIDTH) {
        out.append(line).append('\n');
        line.setLength(0);
        line.append(prefix);
      }
      if (line.length() > prefix.length()) {
        line.append(' ');
      }
      line.append(word);
    }
    return out.append(line).append('\n').toString();
  }
}
