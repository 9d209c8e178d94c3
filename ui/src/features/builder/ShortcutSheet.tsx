import { useEffect, useRef } from "react";
import { keyLabel, SHORTCUTS } from "../../shared/shortcuts";

/** Every keyboard shortcut, opened with `?`; Escape or the button closes it. */
export function ShortcutSheet({ onClose }: { onClose: () => void }) {
  const close = useRef<HTMLButtonElement>(null);
  useEffect(() => {
    const back = document.activeElement as HTMLElement | null;
    close.current?.focus();
    return () => back?.focus?.();
  }, []);
  return (
    <div className="overlay" onClick={onClose} onKeyDown={(e) => e.key === "Escape" && (e.stopPropagation(), onClose())}>
      <div className="sheet shortcut-sheet" role="dialog" aria-modal="true" aria-label="Keyboard shortcuts" data-testid="shortcut-sheet" onClick={(e) => e.stopPropagation()}>
        <div className="shortcut-head">
          <h2>Keyboard shortcuts</h2>
          <button ref={close} type="button" className="btn small" onClick={onClose} data-testid="shortcut-sheet-close">
            Close
          </button>
        </div>
        <table className="shortcut-table">
          <tbody>
            {SHORTCUTS.map((s) => (
              <tr key={s.id}>
                <td>{s.label}</td>
                <td>
                  {s.keys.map((k, i) => (
                    <span key={k}>
                      {i > 0 && " or "}
                      <kbd>{keyLabel(k)}</kbd>
                    </span>
                  ))}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
        <p className="muted">In a text field, {keyLabel("Mod+Z")} first undoes your typing there; once you leave the field, it undoes whole edits.</p>
      </div>
    </div>
  );
}
