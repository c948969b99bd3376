//! Evaluations: record how a model scored on environments or suites, add
//! result samples to a record, close it with final metrics, and read it back
//! (the document's `evals` tag, under `/api/v1/evaluations`).
//!
//! Besides one method per operation, the area offers
//! [`Evaluations::push_samples_in_batches`], which splits a large sample set
//! into requests of a size you choose and tells you batch by batch what
//! reached the server.
//!
//! # Example
//!
//! ```no_run
//! use pi_client::types::EnvironmentRef;
//! use serde_json::json;
//! # async fn run() -> Result<(), pi_client::Error> {
//! let client = pi_client::Client::from_env()?;
//! let created = client
//!     .evaluations()
//!     .create("gsm8k nightly")
//!     .model_name("my-org/my-model")
//!     .environments([EnvironmentRef::new("env_gsm8k")])
//!     .send()
//!     .await?;
//! let id = &created.evaluation_id;
//! let samples = vec![json!({"example_id": 0, "reward": 1.0})];
//! client.evaluations().push_samples(id, samples).send().await?;
//! let done = client.evaluations().finalize(id).send().await?;
//! println!("{:?} over {:?} samples", done.avg_score, done.total_samples);
//! # Ok(())
//! # }
//! ```

pub use crate::generated::evaluations::*;

use std::io;
use std::ops::Range;

use pi_types::{InvalidInput, Rule, SamplesPushed, check_path_segment};
use serde_json::Value;

use crate::error::Error;

/// What a push body adds around its samples: `{"samples":[` and `]}`.
const PUSH_BODY_FRAME: usize = r#"{"samples":[]}"#.len();

impl<'c> Evaluations<'c> {
    /// Adds `samples` to an evaluation in as few requests as fit: each
    /// request body is at most `max_batch_bytes` bytes of JSON, and every
    /// batch is filled as far as the limit allows, keeping the samples in
    /// order.
    ///
    /// Batches go one after the other and the first one that fails ends the
    /// push: the report lists every batch sent (its index, the samples it
    /// carried, its size and the server's answer), so you know exactly which
    /// samples the server took. No sample is left out silently: one too
    /// large for a request of its own is refused before anything is sent.
    /// An empty `samples` sends nothing.
    ///
    /// ```no_run
    /// # async fn run(client: pi_client::Client, samples: Vec<serde_json::Value>) -> Result<(), pi_client::Error> {
    /// let report = client
    ///     .evaluations()
    ///     .push_samples_in_batches("eval_1", samples, 1 << 20)
    ///     .await?;
    /// if let Some(failed) = report.failed() {
    ///     let taken = report.pushed();
    ///     eprintln!("samples {taken:?} are stored; batch {} failed", failed.index);
    /// }
    /// let report = report.into_result()?;
    /// println!("{} samples in {} requests", report.samples, report.batches.len());
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// # Errors
    /// [`Error::InvalidInput`], with nothing sent, naming `samples` when one
    /// sample alone makes a body over `max_batch_bytes`, or `evaluation_id`
    /// when the id cannot be a path segment. A batch that fails is not an
    /// error of this call: it is in the report.
    pub async fn push_samples_in_batches(
        &self,
        evaluation_id: &str,
        samples: Vec<Value>,
        max_batch_bytes: usize,
    ) -> Result<SamplePushReport, Error> {
        check_path_segment("evaluation_id", evaluation_id)?;
        let sizes = samples
            .iter()
            .map(encoded_len)
            .collect::<Result<Vec<usize>, Error>>()?;
        let plan = plan_batches(&sizes, max_batch_bytes)?;
        let mut rest = samples.into_iter();
        let mut batches = Vec::with_capacity(plan.len());
        for (index, planned) in plan.iter().enumerate() {
            let batch: Vec<Value> = rest.by_ref().take(planned.samples.len()).collect();
            let answer = self.push_samples(evaluation_id, batch).send().await;
            let failed = answer.is_err();
            batches.push(SampleBatch {
                index,
                samples: planned.samples.clone(),
                bytes: planned.bytes,
                answer,
            });
            if failed {
                break;
            }
        }
        Ok(SamplePushReport {
            batches,
            planned: plan.len(),
            samples: sizes.len(),
        })
    }
}

/// What [`Evaluations::push_samples_in_batches`] did: every batch it sent,
/// in order. Batches after a failed one are never sent, so only the last
/// batch can hold an error.
#[derive(Debug)]
#[non_exhaustive]
pub struct SamplePushReport {
    /// The batches sent, in order.
    pub batches: Vec<SampleBatch>,
    /// How many batches the samples were split into, sent or not.
    pub planned: usize,
    /// How many samples were given.
    pub samples: usize,
}

/// One request of a batched push.
#[derive(Debug)]
#[non_exhaustive]
pub struct SampleBatch {
    /// The batch's place in the push, from 0.
    pub index: usize,
    /// The positions, in the samples given, of the samples it carried.
    pub samples: Range<usize>,
    /// The size of its JSON body in bytes.
    pub bytes: usize,
    /// What the server answered. After an error the server may or may not
    /// have stored the batch (an answer lost on the way, say).
    pub answer: Result<SamplesPushed, Error>,
}

impl SamplePushReport {
    /// Whether every sample went out in a batch the server accepted.
    pub fn is_complete(&self) -> bool {
        self.batches.len() == self.planned && self.failed().is_none()
    }

    /// The batch that failed and ended the push, if one did.
    pub fn failed(&self) -> Option<&SampleBatch> {
        self.batches.iter().find(|batch| batch.answer.is_err())
    }

    /// The positions of the samples the server confirmed it took: every
    /// batch before the failed one.
    pub fn pushed(&self) -> Range<usize> {
        let end = self
            .batches
            .iter()
            .take_while(|batch| batch.answer.is_ok())
            .last()
            .map_or(0, |batch| batch.samples.end);
        0..end
    }

    /// The positions of the samples no request carried.
    pub fn not_sent(&self) -> Range<usize> {
        let start = self.batches.last().map_or(0, |batch| batch.samples.end);
        start..self.samples
    }

    /// The report when every batch was accepted, or the error of the batch
    /// that failed (the rest of the report is dropped then; look at it
    /// first if you need it).
    ///
    /// # Errors
    /// The failed batch's error.
    pub fn into_result(mut self) -> Result<Self, Error> {
        match self.batches.iter().position(|batch| batch.answer.is_err()) {
            Some(failed) => match self.batches.swap_remove(failed).answer {
                Err(error) => Err(error),
                Ok(_) => Ok(self),
            },
            None => Ok(self),
        }
    }
}

/// One batch as planned: the samples it takes and its body's size.
#[derive(Debug, Clone, PartialEq, Eq)]
struct PlannedBatch {
    samples: Range<usize>,
    bytes: usize,
}

/// Splits samples, given by their encoded sizes, into consecutive batches
/// whose push body (`{"samples":[a,b,…]}`) is at most `max_body_bytes`, each
/// filled as far as the next sample allows.
///
/// # Errors
/// Naming `samples` when one sample alone makes a body over the limit.
fn plan_batches(sizes: &[usize], max_body_bytes: usize) -> Result<Vec<PlannedBatch>, InvalidInput> {
    let mut batches = Vec::new();
    let mut start = 0;
    let mut bytes = PUSH_BODY_FRAME;
    for (index, &size) in sizes.iter().enumerate() {
        let alone = PUSH_BODY_FRAME.saturating_add(size);
        if alone > max_body_bytes {
            return Err(InvalidInput::new(
                "samples",
                Rule::MaxBytes(max_body_bytes),
                format!(
                    "sample {index} encodes to {size} bytes, so a body holding it alone has {alone}"
                ),
            ));
        }
        // A comma separates it from the sample before it in the batch.
        let grown = if index == start {
            alone
        } else {
            bytes.saturating_add(1).saturating_add(size)
        };
        if grown > max_body_bytes {
            batches.push(PlannedBatch {
                samples: start..index,
                bytes,
            });
            start = index;
            bytes = alone;
        } else {
            bytes = grown;
        }
    }
    if start < sizes.len() {
        batches.push(PlannedBatch {
            samples: start..sizes.len(),
            bytes,
        });
    }
    Ok(batches)
}

/// The length of `value` encoded as the request path encodes it (compact JSON).
fn encoded_len(value: &Value) -> Result<usize, Error> {
    let mut counter = ByteCounter(0);
    serde_json::to_writer(&mut counter, value).map_err(|error| Error::Transport {
        message: format!("cannot encode a sample: {error}"),
    })?;
    Ok(counter.0)
}

/// A writer that only counts what is written to it.
struct ByteCounter(usize);

impl io::Write for ByteCounter {
    fn write(&mut self, bytes: &[u8]) -> io::Result<usize> {
        self.0 = self.0.saturating_add(bytes.len());
        Ok(bytes.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use proptest::prelude::*;
    use serde_json::json;

    /// The body the request path sends for `samples`.
    fn body_len(samples: &[Value]) -> usize {
        serde_json::to_vec(&pi_types::PushSamples::new(samples.to_vec()))
            .unwrap()
            .len()
    }

    fn sizes(samples: &[Value]) -> Vec<usize> {
        samples
            .iter()
            .map(|sample| encoded_len(sample).unwrap())
            .collect()
    }

    /// Samples of varied shapes and sizes, escapes and non-ASCII included.
    fn samples() -> impl Strategy<Value = Vec<Value>> {
        let sample = (any::<u32>(), "[a-z\"\\\\é☃\n ]{0,60}", any::<bool>())
            .prop_map(|(id, text, flag)| json!({"id": id, "text": text, "ok": flag}));
        prop::collection::vec(sample, 0..40)
    }

    proptest! {
        #[test]
        fn batches_keep_order_hold_every_sample_once_and_stay_within_the_limit(
            samples in samples(),
            max in 40usize..600,
        ) {
            let sizes = sizes(&samples);
            match plan_batches(&sizes, max) {
                Ok(plan) => {
                    let mut next = 0;
                    for (number, batch) in plan.iter().enumerate() {
                        // Consecutive, non-empty, in order: every sample once.
                        prop_assert_eq!(batch.samples.start, next);
                        prop_assert!(batch.samples.end > batch.samples.start);
                        next = batch.samples.end;
                        let sent = &samples[batch.samples.clone()];
                        // The planned size is the size of the body sent, within the limit.
                        prop_assert_eq!(batch.bytes, body_len(sent));
                        prop_assert!(batch.bytes <= max);
                        // As full as it can be: the next sample would not have fitted.
                        if number + 1 < plan.len() {
                            let grown = &samples[batch.samples.start..=batch.samples.end];
                            prop_assert!(body_len(grown) > max);
                        }
                    }
                    prop_assert_eq!(next, samples.len());
                }
                Err(error) => {
                    prop_assert_eq!(error.field(), "samples");
                    prop_assert!(samples.iter().any(|sample| body_len(std::slice::from_ref(sample)) > max));
                }
            }
        }
    }

    #[test]
    fn a_sample_too_large_for_any_body_is_named_rather_than_dropped() {
        let samples = [json!({"a": 1}), json!({"text": "x".repeat(100)}), json!({})];
        let error = plan_batches(&sizes(&samples), 64).unwrap_err();
        assert_eq!(error.field(), "samples");
        assert_eq!(error.rule(), &Rule::MaxBytes(64));
        assert!(error.problem().contains("sample 1"), "{}", error.problem());
    }

    #[test]
    fn nothing_to_push_plans_no_batch() {
        assert_eq!(plan_batches(&[], 100).unwrap(), []);
    }

    #[test]
    fn a_body_exactly_at_the_limit_is_one_batch() {
        let samples = [json!({"a": 1}), json!({"b": 2})];
        let exact = body_len(&samples);
        let plan = plan_batches(&sizes(&samples), exact).unwrap();
        assert_eq!(
            plan,
            [PlannedBatch {
                samples: 0..2,
                bytes: exact
            }]
        );
        assert_eq!(plan_batches(&sizes(&samples), exact - 1).unwrap().len(), 2);
    }
}
