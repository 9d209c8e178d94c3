// The builder's side panel (count, samples and overlap, SQL, formats): resizable by dragging its
// left edge (or with the arrow keys on it) and collapsible; width and state are remembered.
import { useEffect, useRef, useState, type ReactNode } from "react";

const WIDTH_KEY = "segment-builder.side-width";
const COLLAPSED_KEY = "segment-builder.side-collapsed";
export const SIDE_MIN = 280;
export const SIDE_DEFAULT = 380;
/** The conditions keep at least this much of the window. */
const BUILDER_MIN = 440;

function read(key: string): string | null {
  try {
    return localStorage.getItem(key);
  } catch {
    return null;
  }
}
function write(key: string, value: string) {
  try {
    localStorage.setItem(key, value);
  } catch {
    // Not remembered (storage refused): the layout still works.
  }
}

/** A width kept between SIDE_MIN and what leaves the conditions BUILDER_MIN of `windowWidth`. */
export function clampWidth(width: number, windowWidth: number): number {
  const max = Math.max(SIDE_MIN, windowWidth - BUILDER_MIN);
  return Math.round(Math.min(max, Math.max(SIDE_MIN, width)));
}

export function SidePanel({ children, label }: { children: ReactNode; label: string }) {
  // Until resized, a third of the window (380 px from 1,120 px): the conditions keep the rest.
  const [width, setWidth] = useState(() => Number(read(WIDTH_KEY)) || Math.min(SIDE_DEFAULT, Math.round(window.innerWidth / 3)));
  const [collapsed, setCollapsed] = useState(() => read(COLLAPSED_KEY) === "1");
  const [windowWidth, setWindowWidth] = useState(() => window.innerWidth);
  const drag = useRef<{ x: number; width: number } | null>(null);
  useEffect(() => {
    const onResize = () => setWindowWidth(window.innerWidth);
    window.addEventListener("resize", onResize);
    return () => window.removeEventListener("resize", onResize);
  }, []);
  const shown = clampWidth(width, windowWidth);
  const resize = (w: number) => {
    const next = clampWidth(w, windowWidth);
    setWidth(next);
    write(WIDTH_KEY, String(next));
  };
  const toggle = () => {
    setCollapsed(!collapsed);
    write(COLLAPSED_KEY, collapsed ? "0" : "1");
  };
  return (
    <aside className={"side" + (collapsed ? " collapsed" : "")} style={collapsed ? undefined : { width: shown }} tabIndex={-1} aria-label={label} data-testid="side-panel">
      {!collapsed && (
        <div
          className="side-resizer"
          role="separator"
          aria-orientation="vertical"
          aria-label="Width of the side panel"
          aria-valuemin={SIDE_MIN}
          aria-valuemax={clampWidth(Infinity, windowWidth)}
          aria-valuenow={shown}
          tabIndex={0}
          title="Drag to resize (or use the arrow keys)"
          onPointerDown={(e) => {
            drag.current = { x: e.clientX, width: shown };
            e.currentTarget.setPointerCapture?.(e.pointerId);
          }}
          onPointerMove={(e) => drag.current && resize(drag.current.width + drag.current.x - e.clientX)}
          onPointerUp={() => (drag.current = null)}
          onKeyDown={(e) => {
            if (e.key === "ArrowLeft") resize(shown + 24);
            else if (e.key === "ArrowRight") resize(shown - 24);
            else return;
            e.preventDefault();
          }}
        />
      )}
      <button
        type="button"
        className="side-collapse"
        aria-expanded={!collapsed}
        aria-label={collapsed ? "Show the count and SQL panel" : "Hide the count and SQL panel"}
        title={collapsed ? "Show the count and SQL panel" : "Hide the count and SQL panel"}
        data-testid="side-collapse"
        onClick={toggle}
      >
        {collapsed ? "‹" : "›"}
      </button>
      <div className="side-body" hidden={collapsed}>
        {children}
      </div>
    </aside>
  );
}
