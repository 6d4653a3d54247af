import MarkdownIt from 'markdown-it';

/**
 * Markdown with raw HTML off: `<script>` and any other tag is shown as text, and markdown-it's
 * link check refuses javascript:, vbscript:, file: and non-image data: URLs (such a link stays
 * plain text).
 */
const md = new MarkdownIt({ html: false, linkify: true, typographer: false });

const defaultLinkOpen =
  md.renderer.rules.link_open ??
  ((tokens, idx, options, _env, self) => self.renderToken(tokens, idx, options));
// Links lead to other sites: they get no access to the page that opened them.
md.renderer.rules.link_open = (tokens, idx, options, env, self) => {
  tokens[idx]!.attrSet('rel', 'nofollow noopener noreferrer');
  return defaultLinkOpen(tokens, idx, options, env, self);
};

/** HTML of a Markdown text, safe to insert into a page. */
export function renderMarkdown(text: string): string {
  return md.render(text);
}
