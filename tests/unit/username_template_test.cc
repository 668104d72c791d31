// Username templates: Vault's default template, every documented function,
// if/else chains, whitespace trimming, and the errors a bad template gives.
#include <doctest/doctest.h>

#include <regex>

#include "core/username_template.h"

using namespace dyncreds;
using namespace dyncreds::core;

namespace {

// 2026-11-21T10:11:12.345Z
const auto kNow = std::chrono::system_clock::time_point(std::chrono::milliseconds(1795255872345));

TemplateEnv FixedEnv() {
  TemplateEnv env;
  env.now = [] { return kNow; };
  env.random = [](int n) { return std::string(static_cast<std::size_t>(n), 'R'); };
  env.uuid = [] { return std::string("11111111-2222-4333-8444-555555555555"); };
  return env;
}

std::string Render(const std::string& text, TemplateData data = {}) {
  Result<UsernameTemplate> t = UsernameTemplate::Parse(text);
  REQUIRE_MESSAGE(t.ok(), t.status().ToString());
  Result<std::string> out = t->Render(data, FixedEnv());
  REQUIRE_MESSAGE(out.ok(), out.status().ToString());
  return *out;
}

Status ParseError(const std::string& text) {
  Result<UsernameTemplate> t = UsernameTemplate::Parse(text);
  REQUIRE_FALSE(t.ok());
  return t.status();
}

Status RenderError(const std::string& text) {
  Result<UsernameTemplate> t = UsernameTemplate::Parse(text);
  REQUIRE_MESSAGE(t.ok(), t.status().ToString());
  Result<std::string> out = t->Render({}, FixedEnv());
  REQUIRE_FALSE(out.ok());
  return out.status();
}

}  // namespace

TEST_CASE("Vault's default template gives Vault's names") {
  TemplateData iam{"token-alice", "deploy", "deploy", "IAM"};
  CHECK(Render(kDefaultUsernameTemplate, iam) ==
        "vault-token-alice-deploy-1795255872-RRRRRRRRRRRRRRRRRRRR");
  TemplateData sts{"token-alice", "deploy", "deploy", "STS"};
  // "vault-1795255872-" is 17 characters, so truncate 32 keeps 15 random ones.
  CHECK(Render(kDefaultUsernameTemplate, sts) == "vault-1795255872-RRRRRRRRRRRRRRR");
  TemplateData long_names{std::string(40, 'd'), std::string(40, 'p'), "r", "IAM"};
  std::string name = Render(kDefaultUsernameTemplate, long_names);
  CHECK(name.size() == 64);
  CHECK(name.rfind("vault-" + std::string(40, 'd') + "-p-1795255872-", 0) == 0);
}

TEST_CASE("fields and string functions") {
  TemplateData d{"Alice Smith", "Deploy", "deploy-role", "IAM"};
  CHECK(Render("{{ .DisplayName }}/{{.PolicyName}}/{{ .RoleName }}/{{ .Type }}", d) ==
        "Alice Smith/Deploy/deploy-role/IAM");
  CHECK(Render("{{ .DisplayName | lowercase }}", d) == "alice smith");
  CHECK(Render("{{ .RoleName | uppercase }}", d) == "DEPLOY-ROLE");
  CHECK(Render("{{ .RoleName | replace \"-\" \"_\" }}", d) == "deploy_role");
  CHECK(Render("{{ replace \"a\" \"\" \"banana\" }}") == "bnn");
  CHECK(Render("{{ \"abcdef\" | truncate 3 }}") == "abc");
  CHECK(Render("{{ \"ab\" | truncate 3 }}") == "ab");
  CHECK(Render("{{ \"vault-some-very-long-display-name\" | truncate_sha256 20 }}") == "vault-some-vb562d151");
  CHECK(Render("{{ \"short\" | truncate_sha256 20 }}") == "short");
  CHECK(Render("{{ \"abc\" | sha256 }}") ==
        "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  CHECK(Render("{{ base64 \"alice@example\" }}") == "YWxpY2VAZXhhbXBsZQ==");
  CHECK(Render("{{ printf \"%s-%d-%v-%q-%%\" \"a\" 42 .Type `raw\\n` }}", d) == "a-42-IAM-\"raw\\n\"-%");
}

TEST_CASE("time, random and uuid functions") {
  CHECK(Render("{{ unix_time }}") == "1795255872");
  CHECK(Render("{{ unix_time_millis }}") == "1795255872345");
  CHECK(Render("{{ timestamp \"2006-01-02T15:04:05.000Z07:00\" }}") == "2026-11-21T10:11:12.345Z");
  CHECK(Render("{{ timestamp \"20060102 Mon Jan _2 3:04PM\" }}") == "20261121 Sat Nov 21 10:11AM");
  CHECK(Render("{{ uuid }}") == "11111111-2222-4333-8444-555555555555");
  CHECK(Render("{{ random 5 }}") == "RRRRR");

  // The real sources: the right shapes, and different each time.
  Result<UsernameTemplate> t = UsernameTemplate::Parse("{{ random 20 }} {{ uuid }}");
  REQUIRE(t.ok());
  std::string a = t->Render({}).value(), b = t->Render({}).value();
  CHECK(a != b);
  CHECK(std::regex_match(a, std::regex("[0-9A-Za-z]{20} [0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}")));
}

TEST_CASE("conditions: if, else if, else, eq, ne, not, and, or") {
  const std::string t =
      "{{ if eq .Type \"STS\" }}sts{{ else if (eq .Type \"IAM\" \"X\") }}iam{{ else }}other{{ end }}";
  CHECK(Render(t, {"", "", "", "STS"}) == "sts");
  CHECK(Render(t, {"", "", "", "X"}) == "iam");
  CHECK(Render(t, {"", "", "", "Y"}) == "other");
  CHECK(Render("{{ if ne .Type \"STS\" }}y{{ end }}", {"", "", "", "IAM"}) == "y");
  CHECK(Render("{{ if not .DisplayName }}anonymous{{ end }}") == "anonymous");
  CHECK(Render("{{ and \"a\" \"b\" }}{{ or \"\" \"c\" }}") == "bc");
  CHECK(Render("{{ if .RoleName }}{{ if eq .Type \"IAM\" }}both{{ end }}{{ end }}",
               {"", "", "r", "IAM"}) == "both");
}

TEST_CASE("whitespace trimming with {{- and -}}") {
  CHECK(Render("a   {{- \"b\" -}}   c") == "abc");
  CHECK(Render("a {{ \"b\" }} c") == "a b c");
}

TEST_CASE("input normalisation replaces characters IAM does not allow") {
  CHECK(NormalizeTemplateInput("token-alice smith/ops") == "token-alice_smith_ops");
  CHECK(NormalizeTemplateInput("a+b=c,d.e@f_g-h") == "a+b=c,d.e@f_g-h");
}

TEST_CASE("templates that do not parse name the field and the problem") {
  for (const char* bad : {"{{ nosuch 3 }}", "{{ .Nope }}", "{{ if .Type }}x", "x{{ end }}",
                          "{{ .Type", "{{ \"open }}", "{{ }}", "{{ else }}", "{{ .Type .Type }}",
                          "{{ (.Type }}", "{{ .Type | \"x\" }}", "{{ if }}x{{ end }}", ""}) {
    CAPTURE(bad);
    Status s = ParseError(bad);
    CHECK(s.code() == ErrorCode::kInvalidArgument);
    CHECK(s.field() == "username_template");
  }
  CHECK(ParseError("{{ nosuch 3 }}").message().find("unknown function \"nosuch\"") != std::string::npos);
  CHECK(ParseError("{{ .Nope }}").message().find("unknown field .Nope") != std::string::npos);
  CHECK(UsernameTemplate::Parse("{{ .Nope }}", "roles.name_template").status().field() ==
        "roles.name_template");
}

TEST_CASE("rendering errors: bad arguments to functions") {
  CHECK(RenderError("{{ \"abc\" | truncate 0 }}").message().find("max length must be > 0") != std::string::npos);
  CHECK(RenderError("{{ \"abc\" | truncate_sha256 8 }}").message().find("must be > 8") != std::string::npos);
  CHECK(RenderError("{{ truncate \"x\" \"y\" }}").message().find("expected an integer") != std::string::npos);
  CHECK(RenderError("{{ lowercase }}").message().find("wrong number of arguments") != std::string::npos);
  CHECK(RenderError("{{ printf \"%s-%s\" \"a\" }}").message().find("missing argument") != std::string::npos);
  CHECK(RenderError("{{ printf \"%d\" \"a\" }}").message().find("wants an integer") != std::string::npos);
  CHECK(RenderError("{{ random 0 }}").code() == ErrorCode::kInvalidArgument);
}

TEST_CASE("nesting is limited, so deep templates fail cleanly (found by fuzz_username_template)") {
  // Without a limit, thousands of nested parentheses or ifs overflowed the
  // stack in the recursion over the tree.
  std::string parens = "{{ " + std::string(5000, '(') + ".RoleName" + std::string(5000, ')') + " }}";
  Result<UsernameTemplate> deep = UsernameTemplate::Parse(parens);
  REQUIRE_FALSE(deep.ok());
  CHECK(deep.status().message().find("nested deeper than 32") != std::string::npos);
  std::string ifs;
  for (int i = 0; i < 5000; ++i) ifs += "{{ if .RoleName }}";
  for (int i = 0; i < 5000; ++i) ifs += "{{ end }}";
  Result<UsernameTemplate> deep_ifs = UsernameTemplate::Parse(ifs);
  REQUIRE_FALSE(deep_ifs.ok());
  CHECK(deep_ifs.status().message().find("nested deeper than 32") != std::string::npos);
  // 32 levels still work.
  std::string ok = "{{ " + std::string(32, '(') + ".RoleName" + std::string(32, ')') + " }}";
  CHECK(UsernameTemplate::Parse(ok).ok());
}
