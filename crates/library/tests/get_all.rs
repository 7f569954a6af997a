//! GET /getall: every sort key, direction, help texts and paging.

mod common;

use common::*;
use serde_json::Value;
use swingfly_library::{GetAllError, GetAllKind, GetAllRequest, NoUser, PlayStats, UserView};

fn request(kind: GetAllKind, sortby: &str, reverse: bool) -> GetAllRequest {
    GetAllRequest {
        kind,
        start: 0,
        limit: -1,
        sortby: sortby.to_owned(),
        reverse,
        article_aware_sorting: false,
    }
}

fn run(request: &GetAllRequest, user: &dyn UserView) -> (Vec<String>, Vec<String>, usize) {
    let library = sample_library("/music");
    let response = library.get_all(request, user).unwrap();
    let value = serde_json::to_value(&response).unwrap();
    let items = value["items"].as_array().unwrap();
    let field = if request.kind == GetAllKind::Albums {
        "title"
    } else {
        "name"
    };
    let names = items
        .iter()
        .map(|item: &Value| item[field].as_str().unwrap().to_owned())
        .collect();
    let help = items
        .iter()
        .map(|item| item["help_text"].as_str().unwrap().to_owned())
        .collect();
    (names, help, response.total)
}

#[test]
fn albums_sort_by_every_key() {
    let (titles, help, total) = run(&request(GetAllKind::Albums, "title", false), &NoUser);
    assert_eq!(total, 9);
    assert_eq!(
        &titles[..4],
        ["Alpha", "Double", "First Love", "Greatest Hits of the 80s"]
    );
    assert_eq!(help[0], "2001", "name sorts show the year");

    let (titles, _, _) = run(&request(GetAllKind::Albums, "title", true), &NoUser);
    assert_eq!(&titles[..2], ["Record", "Record"]);
    assert_eq!(titles.last().unwrap(), "Alpha");

    let (titles, help, _) = run(&request(GetAllKind::Albums, "date", true), &NoUser);
    assert_eq!(&titles[..3], ["Lonely", "Record", "Record"]);
    assert_eq!(&help[..2], ["2021", "2020"]);

    let (titles, help, _) = run(&request(GetAllKind::Albums, "trackcount", true), &NoUser);
    assert_eq!(titles[0], "Double");
    assert_eq!(help[0], "4 tracks");
    assert_eq!(help.last().unwrap(), "1 track");

    let (titles, help, _) = run(&request(GetAllKind::Albums, "duration", true), &NoUser);
    assert_eq!(titles[0], "Record", "the deluxe edition: 3 x 200 s");
    assert_eq!(help[0], "10 mins");

    let (titles, _, _) = run(&request(GetAllKind::Albums, "albumartists", false), &NoUser);
    assert_eq!(
        &titles[..3],
        ["Double", "Record", "Record"],
        "Band first, ties by title"
    );
    assert_eq!(titles.last().unwrap(), "First Love", "CJK after Latin");

    let (_, help, _) = run(&request(GetAllKind::Albums, "created_date", true), &NoUser);
    assert!(help[0].ends_with(" ago"), "{}", help[0]);
}

#[test]
fn play_keys_use_the_user_view() {
    let library = sample_library("/music");
    let lonely = albumhash("Lonely", "Solo");
    let mut user = ScriptedUser::default();
    user.plays.insert(
        lonely,
        PlayStats {
            playcount: 3,
            playduration: 7200,
            lastplayed: 1_000,
        },
    );
    let (titles, help, _) = run(&request(GetAllKind::Albums, "playcount", true), &user);
    assert_eq!(titles[0], "Lonely");
    assert_eq!(help[0], "3 plays");
    assert_eq!(help[1], "Never played");
    let (_, help, _) = run(&request(GetAllKind::Albums, "playduration", true), &user);
    assert_eq!(help[0], "2 hrs");
    let (_, help, _) = run(&request(GetAllKind::Albums, "lastplayed", true), &user);
    assert!(help[0].ends_with("years ago"), "{}", help[0]);
    drop(library);
}

#[test]
fn artists_sort_by_name_with_and_without_articles() {
    let (names, help, total) = run(&request(GetAllKind::Artists, "name", false), &NoUser);
    assert_eq!(total, 10);
    assert_eq!(
        names,
        [
            "Band",
            "Beyonce",
            "DJ Producer",
            "Guest",
            "Other Act",
            "Singer",
            "Solo",
            "The Zeta Band",
            "Various Artists",
            "宇多田ヒカル"
        ]
    );
    assert_eq!(help[0], "8 tracks");

    let mut aware = request(GetAllKind::Artists, "name", false);
    aware.article_aware_sorting = true;
    let (names, _, _) = run(&aware, &NoUser);
    let position = |name: &str| names.iter().position(|n| n == name).unwrap();
    assert!(position("The Zeta Band") > position("Various Artists"));

    let (names, help, _) = run(&request(GetAllKind::Artists, "albumcount", true), &NoUser);
    assert_eq!(names[0], "Band");
    assert_eq!(help[0], "3 albums");

    let (names, help, _) = run(&request(GetAllKind::Artists, "trackcount", true), &NoUser);
    assert_eq!(names[0], "Band");
    assert_eq!(help[0], "8 tracks");
}

#[test]
fn paging_windows_are_exact() {
    let library = sample_library("/music");
    let titles = |start: usize, limit: i64| -> Vec<String> {
        let mut req = request(GetAllKind::Albums, "title", false);
        req.start = start;
        req.limit = limit;
        let response = library.get_all(&req, &NoUser).unwrap();
        assert_eq!(response.total, 9);
        serde_json::to_value(&response).unwrap()["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|item| item["title"].as_str().unwrap().to_owned())
            .collect()
    };
    let all = titles(0, -1);
    assert_eq!(all.len(), 9, "limit -1 keeps the last item");
    assert_eq!(titles(0, 4), all[..4]);
    assert_eq!(titles(4, 4), all[4..8]);
    assert_eq!(titles(8, 4), all[8..]);
    assert_eq!(titles(7, -1), all[7..]);
    assert!(titles(9, 4).is_empty());
    assert!(titles(0, 0).is_empty());
}

#[test]
fn bad_keys_are_errors() {
    let library = sample_library("/music");
    let bad = library.get_all(&request(GetAllKind::Artists, "title", false), &NoUser);
    assert_eq!(
        bad.unwrap_err(),
        GetAllError::UnknownSortKey("title".into())
    );
    assert!("playlists".parse::<GetAllKind>().is_err());
    assert_eq!("albums".parse::<GetAllKind>().unwrap(), GetAllKind::Albums);
}
