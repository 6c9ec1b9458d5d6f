/**
 * A tiny, safe HTML builder for notebook output. Text is escaped by default; only
 * `SafeHtml` values (built here, or wrapped explicitly with `rawHtml`) pass through as markup.
 * All styling is inline (no `<style>` blocks, no external CSS) so an output looks the same in
 * JupyterLab (light and dark theme), classic Notebook, VS Code and `nbconvert --to html`;
 * elements also carry `limiqc-*` class names as hooks for the report's stylesheet.
 */
import { InvalidArgumentError } from "../core/errors.js";

/** Markup that is already safe to insert (escaped text or trusted, library-built HTML). */
export class SafeHtml {
  /**
   * @param html The markup. Callers outside this module should use `h` or `rawHtml`.
   */
  constructor(readonly html: string) {}

  /** The markup string. */
  toString(): string {
    return this.html;
  }
}

/** Something that can appear as a child of an element: text (escaped), markup, or a list of those. */
export type HtmlChild = SafeHtml | string | number | boolean | null | undefined | readonly HtmlChild[];

/** Attribute values: strings and numbers are escaped; `true` writes a bare attribute; `false`/`null`/`undefined` omit it. */
export type HtmlAttrs = Readonly<Record<string, string | number | boolean | null | undefined>>;

const TAG_NAME = /^[a-zA-Z][a-zA-Z0-9-]*$/;
const ATTR_NAME = /^[a-zA-Z_:][-a-zA-Z0-9_:.]*$/;
const VOID_TAGS: ReadonlySet<string> = new Set(["area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"]);
const HTML_ESCAPES: Readonly<Record<string, string>> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };

/**
 * Escapes text for use in HTML element content or a quoted attribute value.
 *
 * @param value Any value; `null`/`undefined` become the empty string, others go through `String()`.
 * @returns The text with `& < > " '` replaced by entities.
 *
 * Notes: this is for HTML context only. It does not make text safe inside `<script>`
 * (use JSON with `<` escaped as `\u003c` there) or inside a URL attribute.
 * @example escapeHtml('<b a="1">') === "&lt;b a=&quot;1&quot;&gt;"
 */
export function escapeHtml(value: unknown): string {
  if (value === null || value === undefined) return "";
  return String(value).replace(/[&<>"']/g, (c) => HTML_ESCAPES[c]);
}

/**
 * Marks a string as trusted markup, to be inserted verbatim by `h`.
 *
 * @param html Markup produced by the library itself (never user or file text).
 * @returns The wrapped markup.
 *
 * Notes: every use is a place where escaping is skipped; keep them few and obvious.
 */
export function rawHtml(html: string): SafeHtml {
  return new SafeHtml(html);
}

function renderChild(child: HtmlChild, out: string[]): void {
  if (child === null || child === undefined || child === false) return;
  if (child instanceof SafeHtml) out.push(child.html);
  else if (Array.isArray(child)) for (const c of child as readonly HtmlChild[]) renderChild(c, out);
  else out.push(escapeHtml(child));
}

/**
 * Builds one element: `h("td", { style: "text-align:right" }, "0.25")`.
 *
 * @param tag Element name (letters, digits, dashes; SVG names such as `rect` work too).
 * @param attrs Attributes; values are escaped. Event-handler attributes (`on*`) are refused.
 * @param children Text (escaped), `SafeHtml`, numbers, nested arrays; `null`/`undefined`/`false` are skipped.
 * @returns The element as `SafeHtml`.
 * @throws InvalidArgumentError when the tag or an attribute name is not a plain name, or an attribute is an event handler.
 *
 * Notes: void elements (`img`, `input`, `br`, ...) are written without a closing tag and
 * ignore children. Other elements are always closed, including SVG ones (`<rect ...></rect>`),
 * which HTML parsers accept in SVG content.
 */
export function h(tag: string, attrs?: HtmlAttrs | null, ...children: HtmlChild[]): SafeHtml {
  if (!TAG_NAME.test(tag)) {
    throw new InvalidArgumentError(`HTML tag name "${tag}" is not a plain element name.`, "Use a literal tag such as \"div\" or \"td\".");
  }
  let s = `<${tag}`;
  if (attrs) {
    for (const [name, value] of Object.entries(attrs)) {
      if (!ATTR_NAME.test(name) || /^on/i.test(name)) {
        throw new InvalidArgumentError(
          `HTML attribute name "${name}" is not allowed (plain names only, no event handlers).`,
          "Pass data and styles as attributes; behaviour belongs in the library's own scripts.",
        );
      }
      if (value === null || value === undefined || value === false) continue;
      s += value === true ? ` ${name}` : ` ${name}="${escapeHtml(value)}"`;
    }
  }
  s += ">";
  if (VOID_TAGS.has(tag.toLowerCase())) return new SafeHtml(s);
  const out: string[] = [s];
  for (const c of children) renderChild(c, out);
  out.push(`</${tag}>`);
  return new SafeHtml(out.join(""));
}

/**
 * Joins children into one `SafeHtml` without a wrapping element.
 *
 * @param children As for `h`.
 * @returns The concatenated markup.
 */
export function fragment(...children: HtmlChild[]): SafeHtml {
  const out: string[] = [];
  for (const c of children) renderChild(c, out);
  return new SafeHtml(out.join(""));
}

/**
 * Writes an inline style declaration from an object: `css({ color: "#222", "font-size": "13px" })`.
 *
 * @param style Property → value; camelCase names are converted to kebab-case; `null`/`undefined` values are skipped.
 * @returns `"color:#222;font-size:13px"` (escaped by `h` when used as an attribute value).
 */
export function css(style: Readonly<Record<string, string | number | null | undefined>>): string {
  const parts: string[] = [];
  for (const [k, v] of Object.entries(style)) {
    if (v === null || v === undefined) continue;
    parts.push(`${k.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}:${v}`);
  }
  return parts.join(";");
}

/** Colours used by every card/table: explicit, so a dark front-end theme does not make text unreadable on our white cards. */
export const PALETTE = {
  text: "#1f2328",
  muted: "#57606a",
  border: "#d0d7de",
  background: "#ffffff",
  headerBackground: "#f6f8fa",
  pass: { fg: "#116329", bg: "#dafbe1", border: "#1a7f37" },
  warn: { fg: "#7d4e00", bg: "#fff8c5", border: "#bf8700" },
  fail: { fg: "#a40e26", bg: "#ffebe9", border: "#cf222e" },
  unknown: { fg: "#57606a", bg: "#f6f8fa", border: "#8c959f" },
} as const;

/** Font stack used by all HTML outputs. */
export const FONT_FAMILY = "-apple-system, 'Segoe UI', Helvetica, Arial, sans-serif";
