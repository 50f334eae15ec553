// Stands in for DOMPurify, which needs a browser DOM, when mermaid parses in Node: labels pass
// through unsanitized. Parsing is all the tests ask of mermaid; nothing is rendered.
const purify = { addHook() {}, removeHook() {}, removeHooks() {}, removeAllHooks() {}, sanitize: (s) => s, isSupported: true };
export default purify;
