import { useEffect, useRef, useState } from "react";
import type { RenderedFormat } from "../../bindings/RenderedFormat";
import type { Segment } from "../../bindings/Segment";
import { formatsApi } from "./api";
import { countable } from "../builder/incomplete";
import { copyText } from "./formats";

/** The segment rendered in every format (after a short pause; only the newest rendering is
 * shown), the chosen tab, and copying its text. */
export function useFormats(segment: Segment, now: string | null) {
  const [formats, setFormats] = useState<RenderedFormat[]>();
  const [failure, setFailure] = useState<string>();
  const [tab, setTab] = useState("pql-text");
  const [copied, setCopied] = useState<"" | "ok" | "failed">("");
  const seq = useRef(0);

  useEffect(() => {
    const id = ++seq.current;
    const t = setTimeout(() => {
      // What is counted: incomplete conditions are left out here too.
      formatsApi
        .render(countable(segment).segment, segment.entity ?? null, now)
        .then((f) => id === seq.current && (setFormats(f), setFailure(undefined)))
        .catch((e) => id === seq.current && setFailure(e.message));
    }, 250);
    return () => clearTimeout(t);
  }, [segment, now]);

  const current = formats?.find((f) => f.format === tab);
  const copy = async () => {
    if (!current?.text) return;
    setCopied((await copyText(current.text)) ? "ok" : "failed");
    setTimeout(() => setCopied(""), 1500);
  };
  return { formats, failure, tab, setTab, current, copied, copy };
}
