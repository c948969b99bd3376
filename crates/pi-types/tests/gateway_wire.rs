//! Proves the field numbers and types of `pi_types::gateway` against the
//! protobuf wire format, byte by byte: every expected string below is
//! written by hand from the encoding rules (a key is `field << 3 | wire
//! type`; 0 varint, 2 length-delimited; `sint32` is zigzag-encoded), not
//! produced by the code under test.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::BTreeMap;

use pi_types::gateway::command_session_event::{self, DataEvent, EndEvent, Event, KeepAlive};
use pi_types::gateway::{
    CommandInput, CommandSessionEvent, CommandSessionInfo, CommandSessionSelector, CommandSpec,
    ConnectRequest, ListRequest, ListResponse, Pty, SendInputRequest, SendInputResponse,
    SendSignalRequest, SendSignalResponse, Signal, StartRequest, StartResponse, StreamInputRequest,
    StreamInputResponse, UpdateRequest, UpdateResponse, command_input, command_session_selector,
    pty, stream_input_request,
};
use prost::Message;

fn ls() -> CommandSpec {
    CommandSpec {
        cmd: "ls".to_owned(),
        args: vec!["-l".to_owned()],
        ..CommandSpec::default()
    }
}

/// `CommandSpec{cmd: "ls", args: ["-l"]}`: 1 string, 2 repeated string.
const LS: [u8; 8] = [0x0a, 0x02, b'l', b's', 0x12, 0x02, b'-', b'l'];

#[test]
fn start_request_numbers_its_fields_1_2_4_5() {
    let request = StartRequest {
        command: Some(ls()),
        session_uuid: Some("u".to_owned()),
        ..StartRequest::default()
    };
    let mut expected = vec![0x0a, 0x08]; // 1: command, 8 bytes
    expected.extend(LS);
    expected.extend([0x2a, 0x01, b'u']); // 5: session_uuid (5 << 3 | 2)
    assert_eq!(request.encode_to_vec(), expected);

    // `optional` fields travel even when they hold the default value.
    let with_stdin = StartRequest {
        stdin: Some(false),
        ..request.clone()
    };
    let mut expected = vec![0x0a, 0x08];
    expected.extend(LS);
    expected.extend([0x20, 0x00]); // 4: stdin, varint 0
    expected.extend([0x2a, 0x01, b'u']);
    assert_eq!(with_stdin.encode_to_vec(), expected);

    let with_pty = StartRequest {
        command: None,
        pty: Some(Pty {
            size: Some(pty::Size { cols: 80, rows: 24 }),
        }),
        session_uuid: None,
        stdin: None,
    };
    // 2: pty { 1: size { 1: cols 80, 2: rows 24 } }
    assert_eq!(
        with_pty.encode_to_vec(),
        [0x12, 0x06, 0x0a, 0x04, 0x08, 80, 0x10, 24]
    );
}

#[test]
fn command_spec_numbers_envs_cwd_and_user_3_4_5() {
    let spec = CommandSpec {
        cmd: String::new(),
        args: Vec::new(),
        envs: BTreeMap::from([("A".to_owned(), "b".to_owned())]),
        cwd: Some("/".to_owned()),
        user: Some("g".to_owned()),
    };
    assert_eq!(
        spec.encode_to_vec(),
        [
            0x1a, 0x06, 0x0a, 0x01, b'A', 0x12, 0x01,
            b'b', // 3: one map entry {1: key, 2: value}
            0x22, 0x01, b'/', // 4: cwd
            0x2a, 0x01, b'g', // 5: user
        ]
    );
}

#[test]
fn end_event_exit_code_is_zigzag_sint32() {
    let end = EndEvent {
        exit_code: -1,
        exited: true,
        status: "x".to_owned(),
        error: None,
    };
    // zigzag(-1) = 1; a plain int32 -1 would take ten bytes.
    assert_eq!(
        end.encode_to_vec(),
        [0x08, 0x01, 0x10, 0x01, 0x1a, 0x01, b'x']
    );
    for (code, zigzag) in [
        (0, None),
        (1, Some(2)),
        (-2, Some(3)),
        (2, Some(4)),
        (-64, Some(127)),
    ] {
        let bytes = EndEvent {
            exit_code: code,
            ..EndEvent::default()
        }
        .encode_to_vec();
        match zigzag {
            None => assert!(bytes.is_empty(), "{code}: a default scalar is left out"),
            Some(z) => assert_eq!(bytes, [0x08, z], "exit code {code}"),
        }
    }
    let with_error = EndEvent {
        error: Some(String::new()),
        ..EndEvent::default()
    };
    assert_eq!(with_error.encode_to_vec(), [0x22, 0x00]); // 4: error, empty but set
}

fn decode_event(bytes: &[u8]) -> Event {
    CommandSessionEvent::decode(bytes).unwrap().event.unwrap()
}

#[test]
fn every_arm_of_a_session_event_decodes_from_hand_written_bytes() {
    // 1: start { 1: pid 42 }
    assert_eq!(
        decode_event(&[0x0a, 0x02, 0x08, 42]),
        Event::Start(command_session_event::StartEvent { pid: 42 })
    );
    // 2: data { 1: stdout "hi" }, { 2: stderr "e" }, { 3: pty "p" }
    let data = |output| {
        Event::Data(DataEvent {
            output: Some(output),
        })
    };
    use command_session_event::data_event::Output;
    assert_eq!(
        decode_event(&[0x12, 0x04, 0x0a, 0x02, b'h', b'i']),
        data(Output::Stdout(b"hi".to_vec()))
    );
    assert_eq!(
        decode_event(&[0x12, 0x03, 0x12, 0x01, b'e']),
        data(Output::Stderr(b"e".to_vec()))
    );
    assert_eq!(
        decode_event(&[0x12, 0x03, 0x1a, 0x01, b'p']),
        data(Output::Pty(b"p".to_vec()))
    );
    // 3: end { 1: exit_code zigzag 3 = -2, 2: exited true, 3: "s", 4: "E" }
    assert_eq!(
        decode_event(&[
            0x1a, 0x0a, 0x08, 0x03, 0x10, 0x01, 0x1a, 0x01, b's', 0x22, 0x01, b'E'
        ]),
        Event::End(EndEvent {
            exit_code: -2,
            exited: true,
            status: "s".to_owned(),
            error: Some("E".to_owned()),
        })
    );
    // 4: keepalive {}
    assert_eq!(decode_event(&[0x22, 0x00]), Event::Keepalive(KeepAlive {}));
    // A stream item wraps the event in its field 1.
    let item = StartResponse::decode(&[0x0a, 0x04, 0x0a, 0x02, 0x08, 7][..]).unwrap();
    assert_eq!(
        item.event.unwrap().event,
        Some(Event::Start(command_session_event::StartEvent { pid: 7 }))
    );
}

#[test]
fn a_selector_is_pid_1_or_session_uuid_3() {
    let pid = CommandSessionSelector {
        selector: Some(command_session_selector::Selector::Pid(7)),
    };
    assert_eq!(pid.encode_to_vec(), [0x08, 7]);
    let uuid = CommandSessionSelector {
        selector: Some(command_session_selector::Selector::SessionUuid(
            "s".to_owned(),
        )),
    };
    assert_eq!(uuid.encode_to_vec(), [0x1a, 0x01, b's']);
    let connect = ConnectRequest {
        session: Some(uuid),
    };
    assert_eq!(connect.encode_to_vec(), [0x0a, 0x03, 0x1a, 0x01, b's']);
}

#[test]
fn control_calls_number_their_fields_as_the_proto_says() {
    let session = || {
        Some(CommandSessionSelector {
            selector: Some(command_session_selector::Selector::Pid(7)),
        })
    };
    let signal = SendSignalRequest {
        session: session(),
        signal: Signal::Sigterm.into(),
        signal_uuid: Some("k".to_owned()),
    };
    assert_eq!(
        signal.encode_to_vec(),
        [0x0a, 0x02, 0x08, 7, 0x10, 15, 0x1a, 0x01, b'k']
    );
    assert_eq!(Signal::Sigkill as i32, 9);
    assert_eq!(Signal::Unspecified as i32, 0);
    assert_eq!(Signal::Sigterm.as_str_name(), "SIGNAL_SIGTERM");

    let input = SendInputRequest {
        session: session(),
        input: Some(CommandInput {
            input: Some(command_input::Input::Pty(b"q".to_vec())),
        }),
        input_uuid: Some("i".to_owned()),
    };
    assert_eq!(
        input.encode_to_vec(),
        [
            0x0a, 0x02, 0x08, 7, 0x12, 0x03, 0x12, 0x01, b'q', 0x1a, 0x01, b'i'
        ]
    );
    let stdin = CommandInput {
        input: Some(command_input::Input::Stdin(b"x".to_vec())),
    };
    assert_eq!(stdin.encode_to_vec(), [0x0a, 0x01, b'x']);

    let update = UpdateRequest {
        session: session(),
        pty: Some(Pty {
            size: Some(pty::Size { cols: 1, rows: 2 }),
        }),
    };
    assert_eq!(
        update.encode_to_vec(),
        [
            0x0a, 0x02, 0x08, 7, 0x12, 0x06, 0x0a, 0x04, 0x08, 1, 0x10, 2
        ]
    );

    let list = ListResponse {
        sessions: vec![CommandSessionInfo {
            command: Some(ls()),
            pid: 3,
            session_uuid: Some("u".to_owned()),
        }],
    };
    let mut info = vec![0x0a, 0x08];
    info.extend(LS);
    info.extend([0x10, 3, 0x22, 0x01, b'u']); // 2: pid, 4: session_uuid
    let mut expected = vec![0x0a, u8::try_from(info.len()).unwrap()];
    expected.extend(info);
    assert_eq!(list.encode_to_vec(), expected);
}

#[test]
fn stream_input_messages_are_start_1_data_2_keepalive_3() {
    use stream_input_request::{DataEvent, Event, KeepAlive, StartEvent};
    let start = StreamInputRequest {
        event: Some(Event::Start(StartEvent {
            session: Some(CommandSessionSelector {
                selector: Some(command_session_selector::Selector::Pid(5)),
            }),
        })),
    };
    assert_eq!(start.encode_to_vec(), [0x0a, 0x04, 0x0a, 0x02, 0x08, 5]);
    let data = StreamInputRequest {
        event: Some(Event::Data(DataEvent {
            input: Some(CommandInput {
                input: Some(command_input::Input::Stdin(b"y".to_vec())),
            }),
        })),
    };
    assert_eq!(
        data.encode_to_vec(),
        [0x12, 0x05, 0x0a, 0x03, 0x0a, 0x01, b'y']
    );
    let keepalive = StreamInputRequest {
        event: Some(Event::Keepalive(KeepAlive {})),
    };
    assert_eq!(keepalive.encode_to_vec(), [0x1a, 0x00]);
}

#[test]
fn the_empty_messages_carry_nothing() {
    assert!(SendInputResponse {}.encode_to_vec().is_empty());
    assert!(SendSignalResponse {}.encode_to_vec().is_empty());
    assert!(ListRequest {}.encode_to_vec().is_empty());
    assert!(UpdateResponse {}.encode_to_vec().is_empty());
    assert!(StreamInputResponse {}.encode_to_vec().is_empty());
    assert!(KeepAlive {}.encode_to_vec().is_empty());
    // A field an older or newer peer sends is skipped, not an error.
    assert_eq!(
        SendInputResponse::decode(&[0x08, 0x01][..]).unwrap(),
        SendInputResponse {}
    );
}
