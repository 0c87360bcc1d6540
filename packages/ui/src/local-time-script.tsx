import { DATE_TIME_OPTIONS, TIME_OPTIONS } from './time';

/**
 * Rewrites every LocalTime in the server's HTML to the reader's own time as the browser parses it, before the first
 * paint. Without it the UTC text ("12:20:52 AM UTC") showed until hydration swapped in the reader's ("12:20:52 AM"),
 * and the rest of a sentence reflowed into the space it left: a layout shift of 0.031 on the order page's deadline
 * notice, whenever the digits moved a word. One observer for the page, not a script per time: a script beside each
 * of a list's dozens of times made its Suspense boundary big enough for React to stream it after the first paint,
 * which moved everything below it. Mutation callbacks run before the browser renders, so no UTC text is ever
 * painted; the observer stops at `load`, when the HTML (streamed boundaries included) has all arrived. It formats
 * with formatTime's and formatDateTime's options, in the same browser, so hydration finds the text it would write.
 */
const SCRIPT = `(function(){
var o=${JSON.stringify(TIME_OPTIONS)},d=${JSON.stringify(DATE_TIME_OPTIONS)};
function fix(t){try{var s=new Intl.DateTimeFormat(undefined,t.hasAttribute('data-with-date')?d:o).format(new Date(t.dateTime));if(t.textContent!==s)t.textContent=s}catch(e){}}
function scan(n){if(n.nodeType!==1)return;if(n.matches('time.local-time'))fix(n);n.querySelectorAll('time.local-time').forEach(fix)}
var m=new MutationObserver(function(rs){rs.forEach(function(r){if(r.target.nodeType===1&&r.target.matches('time.local-time'))fix(r.target);r.addedNodes.forEach(scan)})});
m.observe(document.documentElement,{childList:true,subtree:true});
addEventListener('load',function(){m.disconnect()});
})()`;

/**
 * In the root layout's <head>, before anything that shows a LocalTime. `nonce`: the page's CSP nonce (the layout
 * reads it from the request), without which the policy blocks this inline script.
 */
export function LocalTimeScript({ nonce }: { nonce?: string }) {
  return <script nonce={nonce} dangerouslySetInnerHTML={{ __html: SCRIPT }} />;
}
