//! The worker's side of the messages: one listener for the page's
//! requests, one job at a time.

use std::cell::RefCell;

use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use web_sys::{DedicatedWorkerGlobalScope, MessageEvent};

use crate::job::Job;
use crate::protocol::{Request, Response};
use crate::search::search;

thread_local! {
    /// The run the page asked for last.
    static JOB: RefCell<Option<Job>> = const { RefCell::new(None) };
}

/// Listens for requests for the worker's lifetime, then says it is ready.
pub fn serve() {
    let scope: DedicatedWorkerGlobalScope = js_sys::global().unchecked_into();
    let listener = Closure::<dyn Fn(MessageEvent)>::new(move |event: MessageEvent| {
        let answer = match event.data().as_string() {
            Some(text) => answer(&text),
            None => Some(Response::Failed {
                message: "the interpreter was sent something other than text".into(),
            }),
        };
        if let Some(answer) = answer {
            post(&answer);
        }
    });
    scope.set_onmessage(Some(listener.as_ref().unchecked_ref()));
    // The listener lives as long as the worker.
    listener.forget();
    post(&Response::Ready);
}

/// The answer to one request (`None`: a piece of a run that is gone).
fn answer(text: &str) -> Option<Response> {
    match Request::from_text(text) {
        Err(message) => Some(Response::Failed { message }),
        Ok(Request::Run(request)) => Some(JOB.with_borrow_mut(|job| match Job::start(&request) {
            Ok((started, answer)) => {
                *job = Some(started);
                answer
            }
            Err(refused) => {
                *job = None;
                refused
            }
        })),
        Ok(Request::Search(request)) => {
            // A search holds this worker until it is done; the page ends
            // the worker to cancel it.
            let found = search(&request, &mut |runs, of| {
                post(&Response::Progress {
                    job: request.job,
                    runs,
                    of,
                })
            });
            Some(Response::Found {
                job: request.job,
                found,
            })
        }
        Ok(Request::More { job: id }) => JOB.with_borrow_mut(|job| {
            let job = job.as_mut().filter(|j| j.id() == id)?;
            Some(job.piece())
        }),
    }
}

fn post(response: &Response) {
    let scope: DedicatedWorkerGlobalScope = js_sys::global().unchecked_into();
    // Posting a string cannot fail to clone.
    let _ = scope.post_message(&JsValue::from_str(&response.to_text()));
}
