/** A paper's text, by section, from whichever source worked. */
export type TextSource = 'html' | 'ar5iv' | 'pdf' | 'abstract';

export interface Section {
  heading: string;
  /** Paragraphs separated by blank lines; math as $…$ / $$…$$. */
  text: string;
}

export interface Figure {
  /** Absolute image URL. */
  src: string;
  caption: string;
}

export interface PaperText {
  source: TextSource;
  sections: Section[];
  figures: Figure[];
}
