// Template files are bundled as text (esbuild's text loader; a vitest plugin in tests).
declare module '*.tmpl' {
  const text: string;
  export default text;
}
