/**
 * Colours as legacy URLs write them → CSS colours Images' `background` accepts
 * (`#rrggbb`, `#rrggbbaa`, or a CSS colour name). `undefined` for anything else.
 */

// prettier-ignore
const CSS_NAMES = new Set((
  "aliceblue antiquewhite aqua aquamarine azure beige bisque black blanchedalmond blue blueviolet brown " +
  "burlywood cadetblue chartreuse chocolate coral cornflowerblue cornsilk crimson cyan darkblue darkcyan " +
  "darkgoldenrod darkgray darkgreen darkgrey darkkhaki darkmagenta darkolivegreen darkorange darkorchid " +
  "darkred darksalmon darkseagreen darkslateblue darkslategray darkslategrey darkturquoise darkviolet " +
  "deeppink deepskyblue dimgray dimgrey dodgerblue firebrick floralwhite forestgreen fuchsia gainsboro " +
  "ghostwhite gold goldenrod gray green greenyellow grey honeydew hotpink indianred indigo ivory khaki " +
  "lavender lavenderblush lawngreen lemonchiffon lightblue lightcoral lightcyan lightgoldenrodyellow " +
  "lightgray lightgreen lightgrey lightpink lightsalmon lightseagreen lightskyblue lightslategray " +
  "lightslategrey lightsteelblue lightyellow lime limegreen linen magenta maroon mediumaquamarine " +
  "mediumblue mediumorchid mediumpurple mediumseagreen mediumslateblue mediumspringgreen mediumturquoise " +
  "mediumvioletred midnightblue mintcream mistyrose moccasin navajowhite navy oldlace olive olivedrab " +
  "orange orangered orchid palegoldenrod palegreen paleturquoise palevioletred papayawhip peachpuff peru " +
  "pink plum powderblue purple rebeccapurple red rosybrown royalblue saddlebrown salmon sandybrown " +
  "seagreen seashell sienna silver skyblue slateblue slategray slategrey snow springgreen steelblue tan " +
  "teal thistle tomato transparent turquoise violet wheat white whitesmoke yellow yellowgreen"
).split(" "));

const HEX = /^[0-9a-f]+$/;

/** A CSS colour name (any case) → its lowercase name. */
export function colorName(value: string): string | undefined {
  const name = value.toLowerCase();
  return CSS_NAMES.has(name) ? name : undefined;
}

/** Hex digits in CSS order (`rgb`, `rgba`, `rrggbb`, `rrggbbaa`) → `#rrggbb[aa]`. */
export function cssHex(digits: string): string | undefined {
  const hex = digits.toLowerCase();
  if (!HEX.test(hex)) return undefined;
  switch (hex.length) {
    case 3:
    case 4:
      return "#" + [...hex].map((c) => c + c).join("");
    case 6:
    case 8:
      return "#" + hex;
    default:
      return undefined;
  }
}

/** imgix hex colours put alpha first (`argb`, `aarrggbb`); CSS puts it last. */
export function argbHex(digits: string): string | undefined {
  if (digits.length === 4) return cssHex(digits.slice(1) + digits[0]);
  if (digits.length === 8) return cssHex(digits.slice(2) + digits.slice(0, 2));
  return cssHex(digits);
}

/** imgix colours: hex with alpha first (3, 4, 6 or 8 digits, `#` optional) or a colour keyword. */
export function imgixColor(value: string): string | undefined {
  return colorName(value) ?? argbHex(value.startsWith("#") ? value.slice(1) : value);
}
