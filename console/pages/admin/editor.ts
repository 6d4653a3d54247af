import {
  autocompletion,
  closeBrackets,
  closeBracketsKeymap,
  completionKeymap,
} from '@codemirror/autocomplete';
import { defaultKeymap, history, historyKeymap } from '@codemirror/commands';
import { json } from '@codemirror/lang-json';
import {
  bracketMatching,
  defaultHighlightStyle,
  foldGutter,
  foldKeymap,
  indentOnInput,
  syntaxHighlighting,
} from '@codemirror/language';
import { lintGutter, linter, lintKeymap, type Diagnostic } from '@codemirror/lint';
import { EditorState, StateEffect, type Extension } from '@codemirror/state';
import {
  drawSelection,
  EditorView,
  highlightActiveLine,
  highlightActiveLineGutter,
  keymap,
  lineNumbers,
} from '@codemirror/view';
import { surveyCompletion, type SurveyCoreLike } from './completion';

/** What the page gives the editor. */
export interface EditorOptions {
  parent: HTMLElement;
  text: string;
  readOnly: boolean;
  /** Accessible name and description of the text area. */
  label: string;
  describedBy: string;
  /** Checks the text; its diagnostics are shown as the editor's lint (stale ones are dropped). */
  check(view: EditorView): Promise<Diagnostic[]>;
  /** Called on every change of the text. */
  onChange(text: string): void;
  /** survey-core for completion, once the preview has loaded it. */
  core(): SurveyCoreLike | null;
}

/** How long typing pauses before the text is checked. */
export const CHECK_DELAY_MS = 400;

/** Asks for a new check of the same text (the mapping or the languages changed). */
const recheckEffect = StateEffect.define<null>();

/**
 * A JSON editor for SurveyJS definitions: highlighting, folding, bracket matching, undo, the
 * server's problems as lint at their places, and completion from survey-core. Tab is left to
 * move the focus on (no tab trapping); indentation follows Enter.
 */
export function createEditor(options: EditorOptions): EditorView {
  const extensions: Extension[] = [
    lineNumbers(),
    foldGutter(),
    lintGutter(),
    highlightActiveLineGutter(),
    history(),
    drawSelection(),
    indentOnInput(),
    bracketMatching(),
    closeBrackets(),
    highlightActiveLine(),
    syntaxHighlighting(defaultHighlightStyle, { fallback: true }),
    json(),
    autocompletion({ override: [surveyCompletion(options.core)], icons: false }),
    linter((view) => options.check(view), {
      delay: CHECK_DELAY_MS,
      needsRefresh: (update) => update.transactions.some((tr) => tr.effects.some((e) => e.is(recheckEffect))),
    }),
    keymap.of([
      ...closeBracketsKeymap,
      ...defaultKeymap,
      ...historyKeymap,
      ...foldKeymap,
      ...completionKeymap,
      ...lintKeymap,
    ]),
    EditorView.contentAttributes.of({
      // Said outright, so that checkers see the scrolling area holds something focusable.
      tabindex: '0',
      'aria-label': options.label,
      'aria-describedby': options.describedBy,
    }),
    EditorView.updateListener.of((update) => {
      if (update.docChanged) options.onChange(update.state.doc.toString());
    }),
    EditorState.readOnly.of(options.readOnly),
    EditorView.editable.of(!options.readOnly),
  ];
  return new EditorView({
    parent: options.parent,
    state: EditorState.create({ doc: options.text, extensions }),
  });
}

/** Checks the text again now (the mapping or the languages changed, not the text). */
export function recheck(view: EditorView): void {
  view.dispatch({ effects: recheckEffect.of(null) });
}

/** Puts the cursor at a position, scrolls it into view and focuses the editor. */
export function reveal(view: EditorView, pos: number): void {
  view.dispatch({ selection: { anchor: pos }, scrollIntoView: true });
  view.focus();
}
