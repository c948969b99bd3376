//! Drivers for the Secrets area (`pi_client::Secrets`).

use super::{Call, Driver};

pub fn drivers() -> Vec<Driver> {
    vec![
        Driver {
            operation_id: "list_secrets_api_v1_secrets__get",
            calls: vec![
                Call {
                    name: "minimal",
                    run: |client| {
                        Box::pin(async move {
                            client.secrets().personal().list().send().await.map(drop)
                        })
                    },
                },
                Call {
                    name: "all-inputs",
                    run: |client| {
                        Box::pin(async move {
                            client
                                .secrets()
                                .team("team_1")
                                .list()
                                .offset(5)
                                .limit(20)
                                .send()
                                .await
                                .map(drop)
                        })
                    },
                },
            ],
        },
        Driver {
            operation_id: "create_secret_api_v1_secrets__post",
            calls: vec![
                Call {
                    name: "minimal",
                    run: |client| {
                        Box::pin(async move {
                            client
                                .secrets()
                                .personal()
                                .create("API_KEY", "value-1")
                                .send()
                                .await
                                .map(drop)
                        })
                    },
                },
                Call {
                    name: "all-inputs",
                    run: |client| {
                        Box::pin(async move {
                            client
                                .secrets()
                                .team("team_1")
                                .create("SSH_CONFIG", "SG9zdCAqCg==")
                                .description("deploy key config")
                                .file(true)
                                .send()
                                .await
                                .map(drop)
                        })
                    },
                },
            ],
        },
        Driver {
            operation_id: "get_secret_api_v1_secrets__secret_id__get",
            calls: vec![
                Call {
                    name: "minimal",
                    run: |client| {
                        Box::pin(
                            async move { client.secrets().personal().get("sec_1").await.map(drop) },
                        )
                    },
                },
                Call {
                    name: "all-inputs",
                    run: |client| {
                        Box::pin(async move {
                            client.secrets().team("team_1").get("sec_1").await.map(drop)
                        })
                    },
                },
            ],
        },
        Driver {
            operation_id: "update_secret_api_v1_secrets__secret_id__patch",
            calls: vec![
                Call {
                    name: "minimal",
                    run: |client| {
                        Box::pin(async move {
                            client
                                .secrets()
                                .personal()
                                .update("sec_1")
                                .send()
                                .await
                                .map(drop)
                        })
                    },
                },
                Call {
                    name: "all-inputs",
                    run: |client| {
                        Box::pin(async move {
                            client
                                .secrets()
                                .team("team_1")
                                .update("sec_1")
                                .name("RENAMED")
                                .value("value-2")
                                .description("rotated")
                                .send()
                                .await
                                .map(drop)
                        })
                    },
                },
            ],
        },
        Driver {
            operation_id: "delete_secret_api_v1_secrets__secret_id__delete",
            calls: vec![
                Call {
                    name: "minimal",
                    run: |client| {
                        Box::pin(async move { client.secrets().personal().delete("sec_1").await })
                    },
                },
                Call {
                    name: "all-inputs",
                    run: |client| {
                        Box::pin(
                            async move { client.secrets().team("team_1").delete("sec_1").await },
                        )
                    },
                },
            ],
        },
    ]
}
