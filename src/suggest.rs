//! "Did you mean" suggestions by edit distance.

/// Words (and candidates) longer than this get no suggestion.
const MAX_WORD: usize = 256;

/// The candidate closest to `word` (ignoring case), if it is close enough to be a plausible typo.
pub fn did_you_mean<'a>(
    word: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    // Nobody mistypes a name into something this long; and the distance takes time in the
    // product of the lengths (a 10 MB attribute name against a hundred candidates).
    if word.len() > MAX_WORD {
        return None;
    }
    let lower = word.to_lowercase();
    let len = word.chars().count();
    let limit = (len / 3).max(1);
    candidates
        .into_iter()
        // The distance is at least the difference in length.
        .filter(|c| c.len() <= MAX_WORD && c.chars().count().abs_diff(len) <= limit)
        .map(|c| (distance(&lower, &c.to_lowercase()), c))
        .filter(|&(d, _)| d <= limit)
        .min_by_key(|&(d, _)| d)
        .map(|(_, c)| c)
}

/// Optimal string alignment distance (Levenshtein plus adjacent transpositions).
pub fn distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let mut prev2 = vec![0; b.len() + 1];
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for i in 1..=a.len() {
        let mut cur = vec![i; b.len() + 1];
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            cur[j] = (prev[j] + 1).min(cur[j - 1] + 1).min(prev[j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                cur[j] = cur[j].min(prev2[j - 2] + 1);
            }
        }
        prev2 = std::mem::replace(&mut prev, cur);
    }
    prev[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn transposition_is_one_edit() {
        assert_eq!(distance("jion", "join"), 1);
        assert_eq!(did_you_mean("Jion", ["Join", "Left", "Mid"]), Some("Join"));
        assert_eq!(did_you_mean("Frobnicate", ["Join", "Left"]), None);
    }
}
