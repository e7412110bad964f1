# The SCIM User resources Entra would POST for a Graph users export (JSON Lines, one user per
# line), under fixtures/mappings/unleash-correct.json, written the way people write it by hand.
# Run as `jq -c -f benches/unleash-resources.jq users.jsonl`; benches/compare.sh checks that its
# output is byte-identical to `entramap simulate --output resources` on generated users.
#
# A user is skipped when it is soft-deleted (disabled, unassigned, deleted) -- Entra does not
# create those -- or has no userPrincipalName (the matching attribute). A value is the first of a
# list, booleans read "True"/"False", numbers as text; a null or missing value is left out.
def text:
  (if type == "array" then .[0] else . end)
  | if type == "string" or . == null then .
    elif type == "boolean" then (if . then "True" else "False" end)
    else tostring end;

select(.accountEnabled != false and .accountEnabled != "false"
       and .assigned != false and .assigned != "false"
       and .deletedDateTime == null and .IsSoftDeleted != true
       and .userPrincipalName != null)
| (.userPrincipalName | text) as $upn
| (.displayName | text) as $name
| (.mailNickname | text) as $nick
| {schemas: ["urn:ietf:params:scim:schemas:core:2.0:User"], userName: $upn, active: true}
  + (if $name == null then {} else {displayName: $name} end)
  + {emails: [{type: "work", value: $upn, primary: true}]}
  + (if $nick == null then {} else {externalId: $nick} end)
  + {meta: {resourceType: "User"}}
