/** Vite's `?raw` imports: a file's text (the worker tests read docs this way; workerd has no file system). */
declare module "*?raw" {
  const text: string;
  export default text;
}
