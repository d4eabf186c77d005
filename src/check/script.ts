/**
 * One script per post. A Simplified post with Traditional characters (models slip into them, most often
 * after Traditional sources or names) is converted with OpenCC, the maintained converter; the converter
 * (~0.5 s to load) is loaded only when a text holds one of the common Traditional-only characters below.
 */
import { createRequire } from 'node:module';
import type { Lang, Term } from '../templates/glossary.js';

/** Traditional-only forms of the most common characters of Chinese tech writing. */
const TRADITIONAL =
  '語這數個為論來題進過問們實訓練種結務關對驗現並術據於標應時調發與將長學碼讀決內體間輸確開樣類預還處準動證資機會優後測點讓質僅說著計圖習員麼選寫識雙試總徵構場簡詞顯義話項單參評領兩譯統從頭組無夠慮隨設獲潛層給幫塊鍵車響復編細斷強導當別檔沒興擇階適節專級號擬雜網擴藥詢業稱見戰續隱該廣熱幾費轉較輕籤減權經戶獻帶難錯視採護紹產齊創運請獨變輯環維檢國屜綜裡閱薦揮傳議態釋風規盡監許報執聰蓋況聯換誤討記匯驟絡詳區臨貢賴礎銷團隊縮備歸師尋異醫療險億壓倫認軟損達連遊勢訪壽聽遞門卻書針糾橋礙遷則寶貴繼輔頸極雖歡壞靈爭營邏眾誇謹順課詩歷覺魯際洩範圍踐啟劃臺溝終額積線斂貫訴躍歲幹潔負責納貓庫館萬嘗繪譜腦儲錄壘驚緊談傾穎擠勵疊聲電養慣奮價蘭補劑緩鏈劉蹤競紅滿診戲條闢夢壇滬欄講頁貼誰辭夾約漢嚴鍾邊舉撈張頻匱劍厲銀磚暢績虛閉擾財餘佔邁孿穩偽饋災遺鋪嶄諸溫煙諮觀惡趨鴻禕華籠繃嗎懷須煩腳寬載聞謝龐屬趕謂裝陣闊衝';
const TRAD_RE = new RegExp(`[${TRADITIONAL}]`, 'g');
const HAS_TRAD = new RegExp(`[${TRADITIONAL}]`);

type Convert = (s: string) => string;
let toCn: Convert | undefined;

/** The Traditional characters of a text that is meant to be Simplified. */
export function traditionalIn(text: string): string[] {
  return [...new Set(text.match(TRAD_RE) ?? [])];
}

/** The text in Simplified characters (unchanged, and nothing loaded, when it has no Traditional ones). */
export function toSimplified(text: string): string {
  if (!HAS_TRAD.test(text)) return text;
  if (!toCn) {
    const OpenCC = createRequire(import.meta.url)('opencc-js') as {
      Converter: (o: { from: string; to: string }) => Convert;
    };
    toCn = OpenCC.Converter({ from: 'twp', to: 'cn' });
  }
  return toCn(text);
}

type OpenCC = { Converter: (o: { from: string; to: string }) => Convert };
const converters = new Map<string, Convert>();
function converter(from: string, to: string): Convert {
  const key = `${from}>${to}`;
  let c = converters.get(key);
  if (!c) {
    c = (createRequire(import.meta.url)('opencc-js') as OpenCC).Converter({ from, to });
    converters.set(key, c);
  }
  return c;
}

/** What the prompt calls each variant. */
export const LANG_NAME: Record<Lang, string> = {
  'zh-CN': '简体中文',
  'zh-TW': '繁體中文（臺灣用語）',
  'zh-HK': '繁體中文（香港用語）',
};

/**
 * The written text in the reader's variant: Simplified stays (Traditional slips converted), Taiwan gets
 * Traditional characters with Taiwan phrases (软件 → 軟體), Hong Kong its own forms; then each glossary
 * term the paper uses is put in that variant's rendering where it differs by more than characters.
 */
export function toVariant(text: string, lang: Lang, terms: Term[] = []): string {
  if (lang === 'zh-CN') return toSimplified(text);
  const convert = converter('cn', lang === 'zh-TW' ? 'twp' : 'hk');
  let out = convert(toSimplified(text));
  for (const t of terms) {
    const own = lang === 'zh-TW' ? t.tw : (t.hk ?? t.tw);
    if (!own) continue;
    for (const other of [t.zh, ...t.variants]) {
      const converted = convert(other);
      if (converted !== own && !own.includes(converted)) out = out.split(converted).join(own);
    }
  }
  return out;
}

/**
 * Characters of a text meant to be in a Traditional variant that are still Simplified: the converter's
 * round trip (back to Simplified, then forward again, phrases included) gives a finished text back
 * unchanged, and changes exactly the characters that were left Simplified.
 */
export function simplifiedLeft(text: string, lang: Exclude<Lang, 'zh-CN'> = 'zh-TW'): string[] {
  const variant = lang === 'zh-TW' ? 'twp' : 'hk';
  const again = [...converter('cn', variant)(converter(variant, 'cn')(text))];
  const chars = [...text];
  const left = new Set<string>();
  chars.forEach((ch, i) => {
    if (/[\u3400-\u9fff]/.test(ch) && again.length === chars.length && again[i] !== ch) left.add(ch);
  });
  return [...left];
}
