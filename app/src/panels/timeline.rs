//! The timeline: one lane per task on the virtual-time axis, drawn on a
//! canvas — polls as ticks coloured by how they ended, sleeps as bars, CPU
//! work in the poll's colour and polls that blocked the executor in red — with
//! the cursor at the current step's clock, the future dimmed, and an arrow
//! from whatever woke the current poll (a task, a timer, a spawn) to it.
//!
//! Only the rows and the time window on screen are drawn (see
//! [`crate::model::timeline`] for why a frame costs the pixels drawn, not
//! the events in view). Wheel or `+`/`-` zooms, drag or shift+wheel or ←/→
//! pans, ↑/↓ and the wheel over the names scroll the lanes; hovering names
//! the poll under the pointer, clicking it jumps to its step. A text
//! alternative lists what the visible lanes are doing at the cursor.

use leptos::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::CanvasRenderingContext2d;

use super::why::inevitable_step;
use super::{use_session, with_frame};
use crate::model::Timeline;
use crate::model::describe::duration;
use crate::model::timeline::{
    ARROWS_MAX, Layout, PollEnd, PollSlice, Row, Waker, Window, density, lane_state, poll_near, ticks, visible_polls,
    visible_sleeps,
};
use crate::web::Session;
use crate::web::read_only::ReadOnly;

/// Height of one lane, CSS pixels.
const LANE_HEIGHT: f64 = 22.0;
/// Lanes on screen at most; the rest scroll.
const ROWS_SHOWN_MAX: usize = 14;
/// Width of the names at the left, CSS pixels.
const LABEL_WIDTH: f64 = 150.0;
/// Height of the time axis under the lanes.
const AXIS_HEIGHT: f64 = 18.0;
/// How close (pixels) the pointer must be to a poll to name it.
const HIT_SLACK_PX: f64 = 4.0;
/// One `+`/`-` press or zoom button zooms by this factor.
const ZOOM_STEP: f64 = 0.5;
/// One ←/→ press pans this fraction of the window.
const PAN_STEP: f64 = 0.1;
/// Long-poll marks kept in the page at once (they are DOM elements).
const LONG_MARKS_MAX: usize = 64;

/// What the pointer is over.
#[derive(Clone, Debug, PartialEq)]
struct Hover {
    x: f64,
    y: f64,
    text: String,
    /// The step clicking jumps to.
    step: Option<u64>,
}

/// Which rows and which stretch of time are on screen, and what is drawn:
/// one signal, so the panel adds one signal type to the page, not five.
#[derive(Clone, Debug, Default, PartialEq)]
struct Viewport {
    /// `None`: the whole run.
    window: Option<Window>,
    first_row: usize,
    /// Open groups.
    open: Vec<u32>,
    /// Every visible poll's wake arrow, not only the current one's.
    arrows: bool,
    /// Bumped on resize: a redraw.
    redraws: u32,
}

#[derive(Clone, Copy)]
struct View {
    port: RwSignal<Viewport>,
    hover: RwSignal<Option<Hover>>,
}

/// What is on screen, derived from the viewport and the run.
#[derive(Clone, Copy)]
struct Shown {
    view: View,
    end_ns: Memo<u64>,
    layout: Memo<Option<Layout>>,
}

impl Shown {
    /// The time window on screen (tracked).
    fn window(&self) -> Window {
        let end = self.end_ns.get();
        self.view.read(|p| p.window).unwrap_or_else(|| Window::fit(end))
    }

    fn window_untracked(&self) -> Window {
        let end = self.end_ns.get_untracked();
        self.view
            .read_untracked(|p| p.window)
            .unwrap_or_else(|| Window::fit(end))
    }

    /// How many lanes are on screen (tracked).
    fn rows(&self) -> usize {
        self.layout
            .with(|l| l.as_ref().map_or(1, |l| l.len().clamp(1, ROWS_SHOWN_MAX)))
    }

    fn rows_untracked(&self) -> usize {
        self.layout
            .with_untracked(|l| l.as_ref().map_or(1, |l| l.len().clamp(1, ROWS_SHOWN_MAX)))
    }
}

impl View {
    fn read<R>(&self, f: impl FnOnce(&Viewport) -> R) -> R {
        self.port.with(f)
    }

    fn read_untracked<R>(&self, f: impl FnOnce(&Viewport) -> R) -> R {
        self.port.with_untracked(f)
    }

    fn change(&self, f: impl FnOnce(&mut Viewport)) {
        self.port.update(f);
    }

    fn set_window(&self, w: Option<Window>) {
        if self.read_untracked(|p| p.window != w) {
            self.change(|p| p.window = w);
        }
    }

    fn set_first_row(&self, row: usize) {
        if self.read_untracked(|p| p.first_row != row) {
            self.change(|p| p.first_row = row);
        }
    }
}

/// The timeline panel (`data-testid="timeline"`).
#[component]
pub fn TimelinePanel() -> impl IntoView {
    let session = use_session();
    let timeline = session.recorder().timeline();
    let view = View {
        port: RwSignal::new(Viewport::default()),
        hover: RwSignal::new(None),
    };
    // A new run starts at the whole run, its groups closed.
    Effect::new(move |_| {
        timeline.with(|_| ());
        view.port.set(Viewport::default());
        view.hover.set(None);
    });
    let layout = Memo::new(move |_| {
        let open = view.read(|p| p.open.clone());
        timeline.with(|t| t.as_ref().map(|t| Layout::new(t, &open)))
    });
    let end_ns = Memo::new(move |_| timeline.with(|t| t.as_ref().map_or(1, |t| t.end_ns)));
    let shown = Shown { view, end_ns, layout };
    let clock_ns = Memo::new(move |_| with_frame(session, |f| f.clock_ns));
    let step = Memo::new(move |_| with_frame(session, |f| f.step));
    let polling = Memo::new(move |_| with_frame(session, |f| f.polling.as_ref().map(|(id, _)| *id)));

    // The cursor follows stepping: the window moves to keep the clock in
    // view, and the lanes scroll to the task being polled.
    Effect::new(move |_| {
        let clock = clock_ns.get();
        let end = end_ns.get_untracked();
        if let Some(w) = view.read_untracked(|p| p.window) {
            let moved = w.follow(clock, end);
            if moved != w {
                view.set_window(Some(moved));
            }
        }
        let Some(task) = polling.get() else { return };
        let row = timeline.with_untracked(|t| {
            let t = t.as_ref()?;
            layout.with_untracked(|l| l.as_ref()?.row_of(t, task))
        });
        if let Some(row) = row {
            let first = view.read_untracked(|p| p.first_row);
            let shown = shown.rows_untracked();
            if row < first || row >= first + shown {
                view.set_first_row(row.saturating_sub(shown / 2));
            }
        }
    });

    let canvas = NodeRef::<leptos::html::Canvas>::new();
    // Draws whenever what is on screen changes.
    Effect::new(move |_| {
        view.port.track();
        let w = shown.window();
        let first = view.read(|p| p.first_row);
        let arrows = view.read(|p| p.arrows);
        let clock = clock_ns.get();
        let k = step.get();
        let shown = shown.rows();
        let inevitable = inevitable_step(session).and_then(|k| session.recorder().clock_at(k));
        let Some(element) = canvas.get() else { return };
        timeline.with(|t| {
            let Some(t) = t.as_ref() else { return };
            layout.with(|l| {
                let Some(l) = l.as_ref() else { return };
                let started = now_ms();
                let scene = Scene {
                    timeline: t,
                    layout: l,
                    window: w,
                    first_row: first,
                    rows: shown,
                    clock_ns: clock,
                    step: k,
                    inevitable_ns: inevitable,
                };
                scene.draw(session, &element, arrows);
                let took = now_ms() - started;
                let _ = element.set_attribute("data-frame-ms", &hundredths(took));
            });
        });
    });
    let resize = window_event_listener(leptos::ev::resize, move |_| {
        view.change(|p| p.redraws = p.redraws.wrapping_add(1))
    });
    on_cleanup(move || resize.remove());

    view! {
        <section class="panel timeline-panel" aria-labelledby="timeline-title">
            <h2 id="timeline-title">
                "Timeline"
                <span class="subtitle">"virtual time · wheel zooms · drag pans · click a poll to jump"</span>
            </h2>
            <div class="timeline" data-testid="timeline">
                {move || {
                    if timeline.with(Option::is_none) {
                        return view! { <p class="empty">"Recording the run…"</p> }.into_any();
                    }
                    view! {
                        <Toolbar view=view end_ns=end_ns />
                        <Groups view=view timeline=timeline />
                        <Plot
                            view=view
                            timeline=timeline
                            layout=layout
                            shown=shown
                            clock_ns=clock_ns
                            step=step
                            canvas=canvas
                        />
                        <p class="timeline-now">
                            {move || {
                                let w = shown.window();
                                format!(
                                    "Cursor at {} of {} · showing {} to {}",
                                    duration(clock_ns.get()),
                                    duration(end_ns.get()),
                                    duration(w.from_ns),
                                    duration(w.to_ns),
                                )
                            }}
                        </p>
                    }
                    .into_any()
                }}
            </div>
        </section>
    }
}

/// Zoom, fit and the arrows toggle.
#[component]
fn Toolbar(view: View, end_ns: Memo<u64>) -> impl IntoView {
    let zoom = move |factor: f64| {
        let end = end_ns.get_untracked();
        let w = view.read_untracked(|p| p.window).unwrap_or_else(|| Window::fit(end));
        view.set_window(Some(w.zoom(factor, 0.5, end)));
    };
    view! {
        <div class="timeline-tools" role="toolbar" aria-label="Timeline view">
            <button type="button" data-testid="timeline-zoom-in" aria-label="Zoom in" on:click=move |_| zoom(ZOOM_STEP)>"+"</button>
            <button type="button" data-testid="timeline-zoom-out" aria-label="Zoom out" on:click=move |_| zoom(1.0 / ZOOM_STEP)>"−"</button>
            <button type="button" data-testid="timeline-fit" on:click=move |_| view.set_window(None)>"Fit"</button>
            <button
                type="button"
                data-testid="timeline-arrows"
                aria-pressed=move || if view.read(|p| p.arrows) { "true" } else { "false" }
                on:click=move |_| view.change(|p| p.arrows = !p.arrows)
            >
                "Wake arrows"
            </button>
        </div>
    }
}

/// A button per group of same-named tasks, to open or close it.
#[component]
fn Groups(view: View, timeline: ReadOnly<Option<Timeline>>) -> impl IntoView {
    let groups = move || {
        timeline.with(|t| {
            t.as_ref()
                .map(|t| {
                    t.groups
                        .iter()
                        .map(|g| (g.name.clone(), g.tasks.len()))
                        .collect::<Vec<_>>()
                })
                .unwrap_or_default()
        })
    };
    move || {
        let groups = groups();
        (!groups.is_empty()).then(|| {
            let buttons = groups
                .into_iter()
                .enumerate()
                .map(|(g, (name, count))| {
                    let g = g as u32;
                    let open = move || view.read(|p| p.open.contains(&g));
                    view! {
                        <button
                            type="button"
                            class="timeline-group"
                            data-testid="timeline-group"
                            data-name=name.clone()
                            data-count=count.to_string()
                            aria-expanded=move || if open() { "true" } else { "false" }
                            on:click=move |_| toggle_group(view, g)
                        >
                            {format!("{name} × {}", thousands(count))}
                        </button>
                    }
                })
                .collect_view();
            view! { <div class="timeline-groups">{buttons}</div> }
        })
    }
}

fn toggle_group(view: View, g: u32) {
    view.change(|p| match p.open.iter().position(|o| *o == g) {
        Some(i) => {
            p.open.remove(i);
        }
        None => p.open.push(g),
    });
}

/// The canvas, its overlays and its text alternative.
#[component]
fn Plot(
    view: View,
    timeline: ReadOnly<Option<Timeline>>,
    layout: Memo<Option<Layout>>,
    shown: Shown,
    clock_ns: Memo<u64>,
    step: Memo<u64>,
    canvas: NodeRef<leptos::html::Canvas>,
) -> impl IntoView {
    let session = use_session();
    let total_rows = move || layout.with(|l| l.as_ref().map_or(0, Layout::len));
    let height = move || shown.rows() as f64 * LANE_HEIGHT + AXIS_HEIGHT;
    // Drag to pan: where the drag started and the window then.
    let drag = StoredValue::new(None::<(f64, Window, bool)>);

    let plot_width = move || {
        canvas
            .get_untracked()
            .map_or(0.0, |c| (c.client_width() as f64 - LABEL_WIDTH).max(1.0))
    };
    let end = move || timeline.with_untracked(|t| t.as_ref().map_or(1, |t| t.end_ns));
    let set_window = move |w: Window| view.set_window(Some(w));
    let scroll_rows = move |delta: i64| {
        let max = total_rows().saturating_sub(shown.rows_untracked());
        let first = view.read_untracked(|p| p.first_row) as i64 + delta;
        view.set_first_row(first.clamp(0, max as i64) as usize);
    };
    let hit = move |x: f64, y: f64| -> Option<Hover> {
        timeline.with_untracked(|t| {
            let t = t.as_ref()?;
            layout.with_untracked(|l| {
                let l = l.as_ref()?;
                hit_test(
                    t,
                    l,
                    shown.window_untracked(),
                    view.read_untracked(|p| p.first_row),
                    plot_width(),
                    x,
                    y,
                )
            })
        })
    };
    let pointer = move |ev: &web_sys::MouseEvent| -> Option<(f64, f64)> {
        let target = ev.current_target()?.dyn_into::<web_sys::Element>().ok()?;
        let rect = target.get_bounding_client_rect();
        Some((ev.client_x() as f64 - rect.left(), ev.client_y() as f64 - rect.top()))
    };

    let on_down = move |ev: leptos::ev::MouseEvent| {
        if let Some((x, _)) = pointer(&ev) {
            drag.set_value(Some((x, shown.window_untracked(), false)));
        }
    };
    let on_move = move |ev: leptos::ev::MouseEvent| {
        let Some((x, y)) = pointer(&ev) else { return };
        if let Some((x0, w0, _)) = drag.get_value().filter(|_| ev.buttons() & 1 == 1) {
            if (x - x0).abs() > 3.0 {
                drag.set_value(Some((x0, w0, true)));
                set_window(w0.pan(-(x - x0) / plot_width(), end()));
                view.hover.set(None);
                return;
            }
        }
        view.hover.set(hit(x, y));
    };
    let on_up = move |ev: leptos::ev::MouseEvent| {
        let dragged = drag.get_value().is_some_and(|(_, _, moved)| moved);
        drag.set_value(None);
        if dragged {
            return;
        }
        let Some((x, y)) = pointer(&ev) else { return };
        if x < LABEL_WIDTH {
            // A group's name opens or closes it.
            let row = view.read_untracked(|p| p.first_row) + (y / LANE_HEIGHT) as usize;
            let group = timeline.with_untracked(|t| {
                let t = t.as_ref()?;
                layout.with_untracked(|l| match l.as_ref()?.row(t, row)? {
                    Row::Group { group, .. } => Some(group),
                    Row::Task { .. } => None,
                })
            });
            if let Some(g) = group {
                toggle_group(view, g);
            }
            return;
        }
        session.pause();
        match hit(x, y).and_then(|h| h.step) {
            Some(step) => session.seek(step),
            None => session.seek_time(shown.window_untracked().time_at(x - LABEL_WIDTH, plot_width())),
        }
    };
    let on_wheel = move |ev: leptos::ev::WheelEvent| {
        let Some((x, _)) = pointer(&ev) else { return };
        ev.prevent_default();
        let delta = if ev.delta_y() != 0.0 {
            ev.delta_y()
        } else {
            ev.delta_x()
        };
        if x < LABEL_WIDTH && !ev.shift_key() {
            scroll_rows(if delta > 0.0 { 1 } else { -1 });
        } else if ev.shift_key() || ev.delta_x().abs() > ev.delta_y().abs() {
            set_window(shown.window_untracked().pan(delta / plot_width(), end()));
        } else {
            let anchor = (x - LABEL_WIDTH) / plot_width();
            // 1.2× per notch of 100, smoothly for trackpads: no `exp` in the wasm.
            let steps = delta.abs() / 100.0;
            let factor = 1.0 + 0.2 * steps;
            set_window(
                shown
                    .window_untracked()
                    .zoom(if delta > 0.0 { factor } else { 1.0 / factor }, anchor, end()),
            );
        }
    };
    let on_key = move |ev: leptos::ev::KeyboardEvent| {
        let w = shown.window_untracked();
        let page = shown.rows_untracked() as i64;
        let handled = match ev.key().as_str() {
            "+" | "=" => {
                set_window(w.zoom(ZOOM_STEP, 0.5, end()));
                true
            }
            "-" | "_" => {
                set_window(w.zoom(1.0 / ZOOM_STEP, 0.5, end()));
                true
            }
            "0" => {
                view.set_window(None);
                true
            }
            "ArrowLeft" => {
                set_window(w.pan(-PAN_STEP, end()));
                true
            }
            "ArrowRight" => {
                set_window(w.pan(PAN_STEP, end()));
                true
            }
            "ArrowUp" => {
                scroll_rows(-1);
                true
            }
            "ArrowDown" => {
                scroll_rows(1);
                true
            }
            "PageUp" => {
                scroll_rows(-page);
                true
            }
            "PageDown" => {
                scroll_rows(page);
                true
            }
            _ => false,
        };
        if handled {
            // The page's own arrows step the run: not while the timeline has them.
            ev.prevent_default();
            ev.stop_propagation();
        }
    };

    // Marks over the canvas, as elements: the polls that blocked the
    // executor and the step from which every continuation fails.
    let long_marks = move || {
        let w = shown.window();
        let first = view.read(|p| p.first_row);
        let shown = shown.rows();
        timeline.with(|t| {
            let Some(t) = t.as_ref() else { return Vec::new() };
            layout.with(|l| {
                let Some(l) = l.as_ref() else { return Vec::new() };
                let mut marks = Vec::new();
                for r in first..(first + shown).min(l.len()) {
                    let Some(Row::Task { task, .. }) = l.row(t, r) else {
                        continue;
                    };
                    for bar in t
                        .work(task)
                        .iter()
                        .filter(|b| b.long && b.to_ns >= w.from_ns && b.from_ns <= w.to_ns)
                    {
                        if marks.len() < LONG_MARKS_MAX {
                            marks.push((w.fraction(bar.from_ns), w.fraction(bar.to_ns), r - first));
                        }
                    }
                }
                marks
            })
        })
    };
    let inevitable = move || {
        let ns = inevitable_step(session).and_then(|k| session.recorder().clock_at(k))?;
        let w = shown.window();
        (w.from_ns..=w.to_ns).contains(&ns).then(|| w.fraction(ns))
    };
    let description = move || {
        let w = shown.window();
        let first = view.read(|p| p.first_row);
        let shown = shown.rows();
        let clock = clock_ns.get();
        let step = step.get();
        timeline.with(|t| {
            let Some(t) = t.as_ref() else { return String::new() };
            layout.with(|l| {
                let Some(l) = l.as_ref() else { return String::new() };
                describe(t, l, w, first, shown, step, clock)
            })
        })
    };

    view! {
        <div
            class="timeline-plot"
            tabindex="0"
            role="group"
            aria-label="Timeline lanes: + and − zoom, arrows pan and scroll, 0 fits"
            aria-describedby="timeline-lanes"
            on:keydown=on_key
        >
            <canvas
                class="timeline-canvas"
                data-testid="timeline-canvas"
                node_ref=canvas
                aria-hidden="true"
                data-view-from-ns=move || shown.window().from_ns.to_string()
                data-view-to-ns=move || shown.window().to_ns.to_string()
                data-lanes=move || total_rows().to_string()
                data-first-row=move || view.read(|p| p.first_row).to_string()
                data-index-bytes=move || timeline.with(|t| t.as_ref().map_or(0, Timeline::heap_bytes)).to_string()
                style:height=move || px(height())
                on:mousedown=on_down
                on:mousemove=on_move
                on:mouseup=on_up
                on:mouseleave=move |_| {
                    drag.set_value(None);
                    view.hover.set(None);
                }
                on:wheel=on_wheel
            ></canvas>
            <div class="timeline-overlay" aria-hidden="true">
                {move || {
                    long_marks()
                        .into_iter()
                        .map(|(from, to, row)| {
                            view! {
                                <span
                                    class="long-poll-mark"
                                    data-testid="long-poll-mark"
                                    title="This poll blocked the executor (over 8 ms without an await)"
                                    style:left=across(from)
                                    style:width=format!("max(2px, calc((100% - {}px) * {} / 100000))", LABEL_WIDTH as i64, ((to - from).max(0.0) * 1e5).round() as i64)
                                    style:top=px(row as f64 * LANE_HEIGHT + 1.0)
                                    style:height=px(LANE_HEIGHT - 2.0)
                                ></span>
                            }
                        })
                        .collect_view()
                }}
                {move || inevitable().map(|at| view! {
                    <span
                        class="inevitable"
                        data-testid="timeline-inevitable"
                        title="From here on, every continuation fails"
                        style:left=across(at)
                        style:height=px(shown.rows() as f64 * LANE_HEIGHT)
                    ></span>
                })}
                {move || view.hover.get().map(|h| view! {
                    <div
                        class="timeline-tooltip"
                        data-testid="timeline-tooltip"
                        role="tooltip"
                        style:left=px(h.x + 12.0)
                        style:top=px(h.y + 12.0)
                    >
                        {h.text}
                    </div>
                })}
            </div>
            <p id="timeline-lanes" class="sr-only" data-testid="timeline-lanes">{description}</p>
        </div>
    }
}

/// Everything a frame draws from.
struct Scene<'a> {
    timeline: &'a Timeline,
    layout: &'a Layout,
    window: Window,
    first_row: usize,
    rows: usize,
    clock_ns: u64,
    step: u64,
    inevitable_ns: Option<u64>,
}

/// The theme's colours, read from the page's CSS.
struct Colours {
    even: String,
    odd: String,
    text: String,
    muted: String,
    poll: String,
    ready: String,
    bad: String,
    sleep: String,
    accent: String,
    future: String,
}

impl Colours {
    /// The custom properties of `wakescope.css` (light or dark as the page is).
    fn of(element: &web_sys::Element) -> Colours {
        let style = web_sys::window().and_then(|w| w.get_computed_style(element).ok().flatten());
        let read = |name: &str| {
            style
                .as_ref()
                .and_then(|s| s.get_property_value(name).ok())
                .unwrap_or_default()
        };
        Colours {
            even: read("--lane-even"),
            odd: read("--lane-odd"),
            text: read("--text"),
            muted: read("--muted"),
            poll: read("--poll"),
            ready: read("--ok"),
            bad: read("--bad"),
            sleep: read("--timer-bar"),
            accent: read("--accent"),
            future: read("--future"),
        }
    }
}

impl Scene<'_> {
    fn draw(&self, session: Session, canvas: &web_sys::HtmlCanvasElement, all_arrows: bool) {
        let css_width = canvas.client_width() as f64;
        let css_height = self.rows as f64 * LANE_HEIGHT + AXIS_HEIGHT;
        if css_width <= LABEL_WIDTH {
            return;
        }
        let ratio = web_sys::window().map_or(1.0, |w| w.device_pixel_ratio()).max(1.0);
        let (pw, ph) = ((css_width * ratio).round() as u32, (css_height * ratio).round() as u32);
        if canvas.width() != pw || canvas.height() != ph {
            canvas.set_width(pw);
            canvas.set_height(ph);
        }
        let Some(ctx) = canvas
            .get_context("2d")
            .ok()
            .flatten()
            .and_then(|c| c.dyn_into::<CanvasRenderingContext2d>().ok())
        else {
            return;
        };
        let colours = Colours::of(canvas);
        let _ = ctx.set_transform(ratio, 0.0, 0.0, ratio, 0.0, 0.0);
        ctx.clear_rect(0.0, 0.0, css_width, css_height);
        let width = css_width - LABEL_WIDTH;
        ctx.set_font("12px system-ui, sans-serif");
        ctx.set_text_baseline("middle");
        for r in 0..self.rows {
            let Some(row) = self.layout.row(self.timeline, self.first_row + r) else {
                break;
            };
            let top = r as f64 * LANE_HEIGHT;
            ctx.set_fill_style_str(if (self.first_row + r) % 2 == 0 {
                &colours.even
            } else {
                &colours.odd
            });
            ctx.fill_rect(0.0, top, css_width, LANE_HEIGHT);
            self.label(&ctx, &colours, row, top);
            let pen = Pen { ctx: &ctx, top, width };
            match row {
                Row::Task { task, .. } => self.lane(&pen, &colours, task),
                Row::Group { group, .. } => self.group(&pen, &colours, group),
            }
        }
        let lanes_height = self.rows as f64 * LANE_HEIGHT;
        // The future, dimmed; the cursor.
        let cursor = LABEL_WIDTH + self.window.x(self.clock_ns, width).clamp(-1.0, width + 1.0);
        if cursor < css_width {
            ctx.set_fill_style_str(&colours.future);
            ctx.fill_rect(
                cursor.max(LABEL_WIDTH),
                0.0,
                css_width - cursor.max(LABEL_WIDTH),
                lanes_height,
            );
        }
        if (LABEL_WIDTH..=css_width).contains(&cursor) {
            ctx.set_stroke_style_str(&colours.accent);
            ctx.set_line_width(2.0);
            line(&ctx, cursor, 0.0, cursor, lanes_height);
        }
        if let Some(ns) = self
            .inevitable_ns
            .filter(|ns| (self.window.from_ns..=self.window.to_ns).contains(ns))
        {
            let x = LABEL_WIDTH + self.window.x(ns, width);
            // Dashed: 4 px on, 3 off.
            ctx.set_stroke_style_str(&colours.bad);
            ctx.set_line_width(2.0);
            let mut y = 0.0;
            while y < lanes_height {
                line(&ctx, x, y, x, (y + 4.0).min(lanes_height));
                y += 7.0;
            }
        }
        self.arrows(session, &ctx, &colours, width, all_arrows);
        self.axis(&ctx, &colours, width, lanes_height);
    }

    fn label(&self, ctx: &CanvasRenderingContext2d, colours: &Colours, row: Row, top: f64) {
        let text = match row {
            Row::Task { task, nested } => {
                format!("{}{} #{task}", if nested { "  " } else { "" }, self.timeline.name(task))
            }
            Row::Group { group, open } => {
                let g = &self.timeline.groups[group as usize];
                format!(
                    "{} {} × {}",
                    if open { "▾" } else { "▸" },
                    g.name,
                    thousands(g.tasks.len())
                )
            }
        };
        ctx.set_fill_style_str(&colours.text);
        // Narrowed to the names' column if longer.
        let _ = ctx.fill_text_with_max_width(&text, 6.0, top + LANE_HEIGHT / 2.0, LABEL_WIDTH - 12.0);
    }

    /// One task's lane, in lane coordinates (`0..width` × `0..LANE_HEIGHT`).
    fn lane(&self, pen: &Pen, colours: &Colours, task: u32) {
        let (ctx, width) = (pen.ctx, pen.width);
        let w = self.window;
        let mid = LANE_HEIGHT / 2.0;
        let x = |ns: u64| w.x(ns, width).clamp(0.0, width);
        // Its life, spawn to end.
        let spawn = self.timeline.spawn_ns(task);
        let end = self.timeline.finish_ns(task).unwrap_or(self.timeline.end_ns);
        if end >= w.from_ns && spawn <= w.to_ns {
            ctx.set_stroke_style_str(&colours.muted);
            ctx.set_line_width(1.0);
            ctx.set_global_alpha(0.6);
            line(
                ctx,
                LABEL_WIDTH + x(spawn),
                pen.top + mid,
                LABEL_WIDTH + x(end),
                pen.top + mid,
            );
            ctx.set_global_alpha(1.0);
        }
        ctx.set_fill_style_str(&colours.sleep);
        ctx.set_global_alpha(0.85);
        for s in visible_sleeps(self.timeline.sleeps(task), w) {
            let (x1, x2) = (x(s.from_ns), x(s.to_ns));
            pen.rect(x1, mid - 5.0, (x2 - x1).max(1.5), 10.0);
        }
        ctx.set_global_alpha(1.0);
        for bar in self
            .timeline
            .work(task)
            .iter()
            .filter(|b| b.to_ns >= w.from_ns && b.from_ns <= w.to_ns)
        {
            let (x1, x2) = (x(bar.from_ns), x(bar.to_ns));
            ctx.set_fill_style_str(if bar.long { &colours.bad } else { &colours.poll });
            ctx.set_global_alpha(if bar.long { 0.75 } else { 0.55 });
            pen.rect(x1, 2.0, (x2 - x1).max(1.5), LANE_HEIGHT - 4.0);
        }
        ctx.set_global_alpha(1.0);
        for p in visible_polls(self.timeline.polls(task), w, width) {
            ctx.set_fill_style_str(match p.end {
                PollEnd::Ready => &colours.ready,
                PollEnd::Panicked => &colours.bad,
                PollEnd::Pending | PollEnd::Open => &colours.poll,
            });
            let px = w.x(p.at_ns, width).floor();
            pen.rect(px - 1.0, 3.0, 3.0, LANE_HEIGHT - 6.0);
        }
    }

    /// A group's row: how many of its tasks' polls fall in each pixel column.
    fn group(&self, pen: &Pen, colours: &Colours, group: u32) {
        let (ctx, width) = (pen.ctx, pen.width);
        let columns = width.floor().max(1.0) as usize;
        let counts = density(&self.timeline.groups[group as usize].poll_times, self.window, columns);
        let max = counts.iter().copied().max().unwrap_or(0).max(1) as f64;
        ctx.set_fill_style_str(&colours.poll);
        for (c, n) in counts.iter().enumerate().filter(|(_, n)| **n > 0) {
            // Square root: one poll still shows next to a million.
            let h = ((*n as f64) / max).sqrt() * (LANE_HEIGHT - 4.0);
            pen.rect(c as f64, LANE_HEIGHT - 2.0 - h.max(1.0), 1.0, h.max(1.0));
        }
    }

    /// Wake arrows: to the current poll always, to every visible poll on demand.
    fn arrows(&self, session: Session, ctx: &CanvasRenderingContext2d, colours: &Colours, width: f64, all: bool) {
        let recorder = session.recorder();
        let mut targets: Vec<(u32, PollSlice)> = Vec::new();
        if let Some(current) = self.current_poll(session) {
            targets.push(current);
        }
        if all {
            for r in 0..self.rows {
                let Some(Row::Task { task, .. }) = self.layout.row(self.timeline, self.first_row + r) else {
                    continue;
                };
                for p in visible_polls(self.timeline.polls(task), self.window, width) {
                    if targets.len() >= ARROWS_MAX {
                        break;
                    }
                    targets.push((task, *p));
                }
            }
        }
        ctx.set_stroke_style_str(&colours.accent);
        ctx.set_fill_style_str(&colours.accent);
        recorder.with_trace(|trace| {
            for (i, (task, poll)) in targets.iter().enumerate() {
                let Some(cause) = poll.cause() else { continue };
                let Some(waker) = self.timeline.waker(trace, cause) else {
                    continue;
                };
                ctx.set_line_width(if i == 0 { 2.0 } else { 1.5 });
                self.arrow(ctx, width, waker, poll.cause_ns, *task, poll.at_ns);
            }
        });
    }

    /// The poll the current step lies in, or the one its wake causes.
    fn current_poll(&self, session: Session) -> Option<(u32, PollSlice)> {
        let current = self.step.checked_sub(1)?;
        let recorder = session.recorder();
        let event = recorder.with_trace(|t| t.get(current as usize)).flatten()?;
        let task = match event {
            wakescope::Event::Woken { task, .. } => {
                // The wake's poll, if this wake is what made it runnable.
                let polls = self.timeline.polls(task.0);
                let next = polls.partition_point(|p| u64::from(p.seq) <= current);
                return polls
                    .get(next)
                    .filter(|p| p.cause_seq as u64 == current)
                    .map(|p| (task.0, *p));
            }
            other => other.task()?,
        };
        self.timeline.poll_at(task.0, current).map(|p| (task.0, *p))
    }

    /// The y of `task`'s row's middle on screen, clamped to the lanes' edges.
    fn row_y(&self, task: u32) -> f64 {
        let row = self.layout.row_of(self.timeline, task).unwrap_or(0) as f64 - self.first_row as f64;
        let y = row * LANE_HEIGHT + LANE_HEIGHT / 2.0;
        y.clamp(0.0, self.rows as f64 * LANE_HEIGHT)
    }

    fn arrow(&self, ctx: &CanvasRenderingContext2d, width: f64, waker: Waker, from_ns: u64, task: u32, to_ns: u64) {
        let x = |ns: u64| LABEL_WIDTH + self.window.x(ns, width).clamp(-4.0, width + 4.0);
        let (x2, y2) = (x(to_ns), self.row_y(task));
        let (x1, y1) = match waker {
            Waker::Task(t) => (x(from_ns), self.row_y(t)),
            Waker::Timer { owner: Some(o), .. } => (x(from_ns), self.row_y(o)),
            Waker::Timer { owner: None, .. } | Waker::Outside => (x(from_ns), 0.0),
        };
        // Same lane, same instant: a small hook from above.
        let (x1, y1) = if (y1 - y2).abs() < 1.0 && (x1 - x2).abs() < 6.0 {
            (x1 - 10.0, y1 - LANE_HEIGHT / 2.0 + 1.0)
        } else {
            (x1, y1)
        };
        ctx.begin_path();
        ctx.move_to(x1, y1);
        let bend = ((y2 - y1).abs() / 3.0).max(8.0);
        ctx.quadratic_curve_to((x1 + x2) / 2.0 - bend, (y1 + y2) / 2.0, x2, y2);
        ctx.stroke();
        // The head, along the last stretch of the curve.
        let (dx, dy) = (x2 - ((x1 + x2) / 2.0 - bend), y2 - (y1 + y2) / 2.0);
        let len = (dx * dx + dy * dy).sqrt().max(1e-6);
        let (ux, uy) = (dx / len, dy / len);
        ctx.begin_path();
        ctx.move_to(x2, y2);
        ctx.line_to(x2 - 7.0 * ux + 3.5 * uy, y2 - 7.0 * uy - 3.5 * ux);
        ctx.line_to(x2 - 7.0 * ux - 3.5 * uy, y2 - 7.0 * uy + 3.5 * ux);
        ctx.fill();
    }

    fn axis(&self, ctx: &CanvasRenderingContext2d, colours: &Colours, width: f64, top: f64) {
        ctx.set_fill_style_str(&colours.muted);
        ctx.set_font("11px system-ui, sans-serif");
        ctx.set_text_baseline("top");
        // Each label starts at its tick; one too near the end is left out.
        for (ns, label) in ticks(self.window) {
            let x = LABEL_WIDTH + self.window.x(ns, width);
            if x <= LABEL_WIDTH + width - 36.0 {
                let _ = ctx.fill_text_with_max_width(&label, x + 2.0, top + 3.0, 90.0);
            }
        }
    }
}

/// Draws in one lane: `x` from the lanes' left edge, `y` from the lane's
/// top, cut to the lanes' width (the names' column stays clear).
struct Pen<'a> {
    ctx: &'a CanvasRenderingContext2d,
    top: f64,
    width: f64,
}

impl Pen<'_> {
    fn rect(&self, x: f64, y: f64, w: f64, h: f64) {
        let (x1, x2) = (x.max(0.0), (x + w).min(self.width));
        if x2 > x1 {
            self.ctx.fill_rect(LABEL_WIDTH + x1, self.top + y, x2 - x1, h);
        }
    }
}

/// What is under the pointer at (`x`, `y`) of the canvas.
fn hit_test(t: &Timeline, l: &Layout, w: Window, first_row: usize, width: f64, x: f64, y: f64) -> Option<Hover> {
    let row = l.row(t, first_row + (y / LANE_HEIGHT).floor().max(0.0) as usize)?;
    if y < 0.0 || x < LABEL_WIDTH {
        return match row {
            Row::Group { open, .. } => Some(Hover {
                x,
                y,
                text: if open {
                    "Click to close the group"
                } else {
                    "Click to list the group's tasks"
                }
                .to_string(),
                step: None,
            }),
            Row::Task { .. } => None,
        };
    }
    let at = w.time_at(x - LABEL_WIDTH, width);
    let slack = (HIT_SLACK_PX * w.span() as f64 / width).ceil() as u64;
    match row {
        Row::Task { task, .. } => {
            let name = format!("{} #{task}", t.name(task));
            if let Some(p) = poll_near(t.polls(task), at, slack) {
                let end = match p.end {
                    PollEnd::Pending => "returned Pending",
                    PollEnd::Ready => "returned Ready",
                    PollEnd::Panicked => "panicked",
                    PollEnd::Open => "still running when the run ended",
                };
                let long = if p.long { " · blocked the executor" } else { "" };
                return Some(Hover {
                    x,
                    y,
                    text: format!(
                        "{name}: poll at {} (step {}), {end}{long}",
                        duration(p.at_ns),
                        p.seq + 1
                    ),
                    step: Some(u64::from(p.seq) + 1),
                });
            }
            let sleep = t.sleeps(task).iter().find(|s| s.from_ns <= at && at <= s.to_ns)?;
            Some(Hover {
                x,
                y,
                text: format!(
                    "{name}: asleep from {} to {}",
                    duration(sleep.from_ns),
                    duration(sleep.to_ns)
                ),
                step: Some(u64::from(sleep.seq) + 1),
            })
        }
        Row::Group { group, .. } => {
            let g = &t.groups[group as usize];
            let from = w.time_at(x - LABEL_WIDTH - HIT_SLACK_PX, width);
            let to = w.time_at(x - LABEL_WIDTH + HIT_SLACK_PX, width);
            let n = g.poll_times.partition_point(|p| *p <= to) - g.poll_times.partition_point(|p| *p < from);
            Some(Hover {
                x,
                y,
                text: format!(
                    "{} × {}: {} polls between {} and {}",
                    g.name,
                    thousands(g.tasks.len()),
                    thousands(n),
                    duration(from),
                    duration(to)
                ),
                step: None,
            })
        }
    }
}

/// The text alternative: which lanes are on screen, and each one's state at the cursor.
fn describe(t: &Timeline, l: &Layout, w: Window, first: usize, shown: usize, step: u64, clock: u64) -> String {
    let last = (first + shown).min(l.len());
    let mut text = format!(
        "Lanes {} to {} of {}, from {} to {}. At the cursor, {}: ",
        first + 1,
        last,
        l.len(),
        duration(w.from_ns),
        duration(w.to_ns),
        duration(clock)
    );
    let states: Vec<String> = (first..last)
        .filter_map(|r| l.row(t, r))
        .map(|row| match row {
            Row::Task { task, .. } => lane_state(t, task, step, clock),
            Row::Group { group, open } => {
                let g = &t.groups[group as usize];
                let polled = g.poll_times.partition_point(|p| *p <= clock);
                format!(
                    "group {} × {} ({}), {} polls so far",
                    g.name,
                    thousands(g.tasks.len()),
                    if open { "open" } else { "closed" },
                    thousands(polled)
                )
            }
        })
        .collect();
    text.push_str(&states.join("; "));
    text.push('.');
    text
}

/// `1234567` as `1,234,567`.
fn thousands(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// A CSS length in whole pixels (integers keep float formatting out of the wasm).
fn px(v: f64) -> String {
    format!("{}px", v.round() as i64)
}

/// The CSS `left` of the point `fraction` of the way across the lanes.
fn across(fraction: f64) -> String {
    format!(
        "calc({}px + (100% - {}px) * {} / 100000)",
        LABEL_WIDTH as i64,
        LABEL_WIDTH as i64,
        (fraction * 1e5).round() as i64
    )
}

/// Milliseconds with two decimals.
fn hundredths(ms: f64) -> String {
    let h = (ms * 100.0).round().max(0.0) as u64;
    format!("{}.{:02}", h / 100, h % 100)
}

fn line(ctx: &CanvasRenderingContext2d, x1: f64, y1: f64, x2: f64, y2: f64) {
    ctx.begin_path();
    ctx.move_to(x1, y1);
    ctx.line_to(x2, y2);
    ctx.stroke();
}

fn now_ms() -> f64 {
    web_sys::window().and_then(|w| w.performance()).map_or(0.0, |p| p.now())
}
