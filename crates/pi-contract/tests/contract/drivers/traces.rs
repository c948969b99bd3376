//! Drivers for the Traces area (`pi_client::Traces`), the supplement's
//! `Traces` operations (spec/supplement/openapi.json).

use std::collections::BTreeMap;

use pi_client::types::{TraceLineFormat, TraceRunType, TraceSearchField, TraceUploadMetadata};

use super::{Driver, driver};

const KEY: &str = "sha256:5f0c3b1e8a7d6c4b2a19f8e7d6c5b4a39281706f5e4d3c2b1a09f8e7d6c5b4a3";
const LINES: &str = "{\"trace_id\":\"t1\",\"run_id\":\"r1\"}\n";

fn context() -> BTreeMap<String, String> {
    BTreeMap::from([("job".to_owned(), "nightly".to_owned())])
}

pub fn drivers() -> Vec<Driver> {
    vec![
        driver!("upload_traces",
            "minimal" => |client| client.traces().upload(KEY, TraceUploadMetadata::new(1), LINES).personal().send(),
            "all-inputs" => |client| client.traces().upload(KEY, TraceUploadMetadata::new(1).with_context(context()), LINES).team("team_1").line_format(TraceLineFormat::Episode).send(),
            "lines" => |client| client.traces().upload_lines(LINES).send(),
        ),
        driver!("list_traces",
            "minimal" => |client| client.traces().list().personal().send(),
            "all-inputs" => |client| client.traces().list().team("team_1").run_id("r1").upload_id(["u1", "u2"]).environment_id("env_1").model_id("gpt-x").model_provider("openai").task_id("task_1").reward_min(0.25).reward_max(1.0).outcome("pass").has_error(false).is_truncated(false).created_after("2026-10-01T00:00:00Z").created_before("2026-10-02T00:00:00Z").sort("reward").limit(100).cursor("c1").context("job", "a").context("stage", "eval").send(),
        ),
        driver!("delete_run_traces",
            "minimal" => |client| client.traces().delete_run("r1").send(),
            "all-inputs" => |client| client.traces().delete_run("r1").team("team_1").send(),
        ),
        driver!("get_trace",
            "minimal" => |client| client.traces().get("t1").send(),
            "all-inputs" => |client| client.traces().get("t1").team("team_1").send(),
            "raw" => |client| client.traces().get_raw("t1").team("team_1").send(),
        ),
        driver!("delete_trace",
            "minimal" => |client| client.traces().delete("t1").send(),
            "all-inputs" => |client| client.traces().delete("t1").team("team_1").created_at("2026-10-01T00:00:00Z").send(),
        ),
        driver!("list_trace_nodes",
            "minimal" => |client| client.traces().nodes("t1").send(),
            "all-inputs" => |client| client.traces().nodes("t1").team("team_1").role(["assistant", "tool"]).sampled(true).after(3).limit(50).cursor("c1").send(),
        ),
        driver!("list_trace_calls",
            "minimal" => |client| client.traces().calls("t1").send(),
            "all-inputs" => |client| client.traces().calls("t1").team("team_1").model(["gpt-x"]).finish_reason(["stop", "length"]).limit(50).cursor("c1").send(),
        ),
        driver!("list_episodes",
            "minimal" => |client| client.traces().episodes().send(),
            "all-inputs" => |client| client.traces().episodes().team("team_1").run_id("r1").upload_id(["u1"]).environment_id("env_1").outcome("pass").has_error(true).run_step(4).step_min(2).step_max(8).created_after("2026-10-01T00:00:00Z").created_before("2026-10-02T00:00:00Z").limit(20).cursor("c1").context("job", "a").context("stage", "eval").send(),
        ),
        driver!("get_episode",
            "minimal" => |client| client.traces().episode("e1").send(),
            "all-inputs" => |client| client.traces().episode("e1").team("team_1").send(),
            "raw" => |client| client.traces().episode_raw("e1").send(),
        ),
        driver!("list_episode_traces",
            "minimal" => |client| client.traces().episode_traces("e1").send(),
            "all-inputs" => |client| client.traces().episode_traces("e1").team("team_1").run_id("r1").environment_id("env_1").model_id("gpt-x").model_provider("openai").task_id("task_1").reward_min(0.0).reward_max(0.5).outcome("fail").has_error(true).is_truncated(true).created_after("2026-10-01T00:00:00Z").created_before("2026-10-02T00:00:00Z").limit(10).cursor("c1").context("job", "a").context("stage", "eval").send(),
        ),
        driver!("list_trace_runs",
            "minimal" => |client| client.traces().runs().send(),
            "all-inputs" => |client| client.traces().runs().team("team_1").run_type([TraceRunType::Eval, TraceRunType::Train]).created_by(["user_1"]).created_after("2026-10-01T00:00:00Z").created_before("2026-10-02T00:00:00Z").limit(25).cursor("c1").send(),
        ),
        driver!("get_trace_run",
            "minimal" => |client| client.traces().run("r1").send(),
            "all-inputs" => |client| client.traces().run("r1").team("team_1").send(),
        ),
        driver!("list_trace_run_steps",
            "minimal" => |client| client.traces().run_steps("r1").send(),
            "all-inputs" => |client| client.traces().run_steps("r1").team("team_1").send(),
        ),
        driver!("search_run_traces",
            "minimal" => |client| client.traces().search("r1", "Traceback").send(),
            "all-inputs" => |client| client.traces().search("r1", "rm -rf").team("team_1").field(TraceSearchField::ToolCalls).role("assistant").run_step(3).has_error(false).reward_min(0.1).reward_max(0.9).limit(50).cursor("c1").send(),
        ),
    ]
}
