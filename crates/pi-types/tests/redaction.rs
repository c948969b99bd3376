#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! Proves that every secret-bearing model hides its secrets in `Debug` (`{:?}` and `{:#?}`) while serde still writes the real value at its wire name.

use std::collections::BTreeMap;
use std::fmt::Debug;

use pi_types::{
    CreateDedicatedRun, CreateEvaluation, CreatePod, CreateSandbox, CreateSecret,
    DedicatedRunCreated, ExposeSecret, GpuSocket, GpuType, HostedEvaluationSettings,
    ImageBuildCreated, Pod, PodSpec, Provider, ProviderType, SandboxAuth, SecretString, SshSession,
    Tunnel, TunnelCreated, UpdateSecret,
};
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};

/// Every secret in this file starts with this, and nothing else does, so a
/// Debug output containing it has leaked at least part of a secret.
const MARKER: &str = "s3cr3t";

const TIMESTAMP: &str = "2026-01-15T10:30:00Z";

/// Asserts that neither Debug form of `value` shows any of `secrets` (nor any
/// part of one), and that its JSON carries each secret at its JSON pointer.
fn assert_redacted_but_sent<T: Debug + Serialize>(value: &T, secrets: &[(&str, &str)]) {
    let compact = format!("{value:?}");
    let pretty = format!("{value:#?}");
    for (pointer, secret) in secrets {
        assert!(secret.starts_with(MARKER), "test secret {secret:?}");
        assert!(
            !compact.contains(secret),
            "{{:?}} shows {pointer}: {compact}"
        );
        assert!(
            !pretty.contains(secret),
            "{{:#?}} shows {pointer}: {pretty}"
        );
    }
    assert!(
        !compact.contains(MARKER),
        "{{:?}} leaks a secret: {compact}"
    );
    assert!(!pretty.contains(MARKER), "{{:#?}} leaks a secret: {pretty}");

    let body = serde_json::to_value(value).unwrap();
    for (pointer, secret) in secrets {
        assert_eq!(
            body.pointer(pointer),
            Some(&Value::String((*secret).to_owned())),
            "{pointer} missing or changed in {body}"
        );
    }
}

/// Decodes a response body, failing with serde's message if it does not fit.
fn decode<T: DeserializeOwned>(body: Value) -> T {
    serde_json::from_value(body).expect("the response body decodes")
}

fn secret_map(entries: &[(&str, &str)]) -> BTreeMap<String, SecretString> {
    entries
        .iter()
        .map(|(name, value)| ((*name).to_owned(), SecretString::from(*value)))
        .collect()
}

fn pod_spec() -> PodSpec {
    PodSpec::new(
        "cloud_1",
        GpuType::from("H100_80GB"),
        1,
        GpuSocket::from("SXM5"),
    )
    .with_name("pod-1")
    .with_jupyter_password("s3cr3t-jupyterPassword")
}

#[test]
fn image_build_created_hides_upload_url() {
    let created: ImageBuildCreated = decode(json!({
        "build_id": "build_1",
        "expires_in": 3600,
        "fullImagePath": "registry.example/team/app:v1",
        "upload_url": "s3cr3t-upload_url",
        "visibility": "PRIVATE",
    }));
    assert_eq!(created.upload_url.expose_secret(), "s3cr3t-upload_url");
    assert_redacted_but_sent(&created, &[("/upload_url", "s3cr3t-upload_url")]);
}

#[test]
fn create_dedicated_run_hides_hf_token_and_wandb_api_key() {
    let request = CreateDedicatedRun::new(json!({"model": "m", "steps": 10}))
        .with_name("run-1")
        .with_team_id("team_1")
        .with_hf_token("s3cr3t-hfToken")
        .with_wandb_api_key("s3cr3t-wandbApiKey");
    assert_redacted_but_sent(
        &request,
        &[
            ("/hfToken", "s3cr3t-hfToken"),
            ("/wandbApiKey", "s3cr3t-wandbApiKey"),
        ],
    );
}

#[test]
fn dedicated_run_created_hides_token_value() {
    let created: DedicatedRunCreated = decode(json!({
        "jobId": "job_1",
        "runId": "run_1",
        "tokenValue": "s3cr3t-tokenValue",
    }));
    assert_redacted_but_sent(&created, &[("/tokenValue", "s3cr3t-tokenValue")]);
}

#[test]
fn create_sandbox_hides_every_secret_in_the_map() {
    let request = CreateSandbox::new("sandbox-1")
        .with_docker_image("python:3.12")
        .with_environment_vars(BTreeMap::from([("PLAIN".to_owned(), "visible".to_owned())]))
        .with_secrets(secret_map(&[
            ("API_KEY", "s3cr3t-secrets-api"),
            ("DB_PASSWORD", "s3cr3t-secrets-db"),
        ]));
    assert_redacted_but_sent(
        &request,
        &[
            ("/secrets/API_KEY", "s3cr3t-secrets-api"),
            ("/secrets/DB_PASSWORD", "s3cr3t-secrets-db"),
        ],
    );
    // Only the values are secret: the names and plain env vars still show.
    let debug = format!("{request:?}");
    assert!(
        debug.contains("API_KEY") && debug.contains("visible"),
        "{debug}"
    );
}

#[test]
fn hosted_evaluation_settings_hide_custom_secrets_also_inside_create_evaluation() {
    let settings = HostedEvaluationSettings::new(10, 2).with_custom_secrets(secret_map(&[
        ("OPENAI_API_KEY", "s3cr3t-custom_secrets-openai"),
        ("HF_TOKEN", "s3cr3t-custom_secrets-hf"),
    ]));
    assert_redacted_but_sent(
        &settings,
        &[
            (
                "/custom_secrets/OPENAI_API_KEY",
                "s3cr3t-custom_secrets-openai",
            ),
            ("/custom_secrets/HF_TOKEN", "s3cr3t-custom_secrets-hf"),
        ],
    );

    let request = CreateEvaluation::new("eval-1").with_eval_config(settings);
    assert_redacted_but_sent(
        &request,
        &[
            (
                "/eval_config/custom_secrets/OPENAI_API_KEY",
                "s3cr3t-custom_secrets-openai",
            ),
            (
                "/eval_config/custom_secrets/HF_TOKEN",
                "s3cr3t-custom_secrets-hf",
            ),
        ],
    );

    // The same settings decoded from JSON (e.g. read back from a stored body).
    let decoded: HostedEvaluationSettings = decode(json!({
        "num_examples": 10,
        "rollouts_per_example": 2,
        "custom_secrets": {"OPENAI_API_KEY": "s3cr3t-custom_secrets-openai"},
    }));
    assert_redacted_but_sent(
        &decoded,
        &[(
            "/custom_secrets/OPENAI_API_KEY",
            "s3cr3t-custom_secrets-openai",
        )],
    );
}

#[test]
fn pod_spec_hides_jupyter_password_also_inside_create_pod() {
    let spec = pod_spec();
    assert_redacted_but_sent(&spec, &[("/jupyterPassword", "s3cr3t-jupyterPassword")]);

    let request = CreatePod::new(spec, Provider::new(ProviderType::from("runpod")));
    assert_redacted_but_sent(
        &request,
        &[("/pod/jupyterPassword", "s3cr3t-jupyterPassword")],
    );
}

#[test]
fn ssh_session_hides_token() {
    let session: SshSession = decode(json!({
        "expires_at": TIMESTAMP,
        "exposure_id": "exp_1",
        "external_endpoint": "ssh.example:2222",
        "gateway_url": "https://gateway.example",
        "host": "ssh.example",
        "job_id": "job_1",
        "port": 2222,
        "sandbox_id": "sbx_1",
        "session_id": "sess_1",
        "token": "s3cr3t-ssh-token",
        "ttl_seconds": 900,
        "user_ns": "user_ns_1",
    }));
    assert_redacted_but_sent(&session, &[("/token", "s3cr3t-ssh-token")]);
}

#[test]
fn sandbox_auth_hides_token() {
    let auth: SandboxAuth = decode(json!({
        "expires_at": TIMESTAMP,
        "gateway_url": "https://gateway.example",
        "job_id": "job_1",
        "token": "s3cr3t-sandbox-auth-token",
        "user_ns": "user_ns_1",
    }));
    assert_redacted_but_sent(&auth, &[("/token", "s3cr3t-sandbox-auth-token")]);
}

#[test]
fn create_secret_hides_value() {
    let request = CreateSecret::new("DATABASE_URL", "s3cr3t-create-value")
        .with_description("primary database")
        .with_team_id("team_1");
    assert_redacted_but_sent(&request, &[("/value", "s3cr3t-create-value")]);
}

#[test]
fn update_secret_hides_value() {
    let request = UpdateSecret::new()
        .with_name("DATABASE_URL")
        .with_value("s3cr3t-update-value");
    assert_redacted_but_sent(&request, &[("/value", "s3cr3t-update-value")]);
}

fn tunnel_created_body() -> Value {
    json!({
        "binding_secret": "s3cr3t-binding_secret",
        "expires_at": TIMESTAMP,
        "frp_token": "s3cr3t-frp_token",
        "hostname": "t1.tunnel.example",
        "server_host": "frp.example",
        "server_port": 7000,
        "tunnel_id": "tun_1",
        "url": "https://t1.tunnel.example",
    })
}

#[test]
fn tunnel_created_hides_binding_secret_and_frp_token() {
    let created: TunnelCreated = decode(tunnel_created_body());
    assert_redacted_but_sent(
        &created,
        &[
            ("/binding_secret", "s3cr3t-binding_secret"),
            ("/frp_token", "s3cr3t-frp_token"),
        ],
    );
}

#[test]
fn tunnel_created_round_trip_keeps_the_secrets() {
    let original = tunnel_created_body();
    let created: TunnelCreated = decode(original.clone());
    let encoded = serde_json::to_value(&created).unwrap();
    for field in ["binding_secret", "frp_token"] {
        assert_eq!(encoded[field], original[field], "{field}");
    }
    // Everything but the timestamp's spelling comes back as sent.
    let strip = |mut body: Value| {
        body.as_object_mut().unwrap().remove("expires_at");
        body
    };
    assert_eq!(strip(encoded.clone()), strip(original));

    // And a second pass through text gives the same secrets and instant.
    let again: TunnelCreated = serde_json::from_str(&serde_json::to_string(&created).unwrap())
        .expect("the re-encoded body decodes");
    assert_eq!(
        again.binding_secret.expose_secret(),
        "s3cr3t-binding_secret"
    );
    assert_eq!(again.frp_token.expose_secret(), "s3cr3t-frp_token");
    assert_eq!(again.expires_at, created.expires_at);
    assert_eq!(serde_json::to_value(&again).unwrap(), encoded);
}

#[test]
fn tunnel_hides_its_frpc_token_binding_secret_and_password() {
    // Fields the supplement amends into the published tunnel: the official
    // tunnel client reads them on every tunnel it gets or lists.
    let tunnel: Tunnel = decode(json!({
        "tunnel_id": "tun_1", "hostname": "t1.example", "url": "https://t1.example",
        "status": "connected", "user_id": "user_1",
        "created_at": TIMESTAMP, "expires_at": TIMESTAMP,
        "server_host": "frps.example", "server_port": 7000, "http_user": "pi",
        "frp_token": "s3cr3t-frp_token",
        "binding_secret": "s3cr3t-binding_secret",
        "http_password": "s3cr3t-http_password",
    }));
    assert_redacted_but_sent(
        &tunnel,
        &[
            ("/frp_token", "s3cr3t-frp_token"),
            ("/binding_secret", "s3cr3t-binding_secret"),
            ("/http_password", "s3cr3t-http_password"),
        ],
    );
    assert!(format!("{tunnel:?}").contains("frps.example"));
}

#[test]
fn pod_hides_its_jupyter_password() {
    let pod: Pod = decode(json!({
        "id": "pod_1", "name": "trainer", "userId": "user_1", "gpuCount": 1,
        "gpuName": "H100_80GB", "priceHr": 2.5, "providerType": "runpod", "socket": "PCIe",
        "jupyterPassword": "s3cr3t-jupyterPassword",
    }));
    assert_redacted_but_sent(&pod, &[("/jupyterPassword", "s3cr3t-jupyterPassword")]);
}
