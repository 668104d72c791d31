// Vault's generic verbs: read, write, list, delete PATH; secrets enable,
// disable, list; token create, lookup, revoke; policy write; and lease
// lookup/renew/revoke against a server. Each is one Vault API request
// (api_client.h: a server, or the API in-process on the local store), with
// Vault's table output or -format=json.
#include <rapidjson/document.h>
#include <rapidjson/writer.h>

#include <iostream>

#include "api_client.h"
#include "commands.h"
#include "dyncreds/ttl.h"
#include "util/json_read.h"
#include "util/secret_buffer.h"
#include "util/uri.h"

namespace dyncreds::tool {
namespace {

std::string Trimmed(const std::string& path) {
  std::size_t b = 0, e = path.size();
  while (b < e && path[b] == '/') ++b;
  while (e > b && path[e - 1] == '/') --e;
  return path.substr(b, e - b);
}

// key=value operands as a query string (read sends its fields so).
Result<std::string> QueryOf(const std::vector<std::string>& fields) {
  std::string query;
  for (const std::string& f : fields) {
    const std::size_t eq = f.find('=');
    if (eq == std::string::npos || eq == 0) return Status::InvalidArgument(f, "fields are key=value");
    if (!query.empty()) query += "&";
    query += uri::Encoded(f.substr(0, eq)) + "=" + uri::Encoded(f.substr(eq + 1));
  }
  return query;
}

struct Sent {
  int exit = kExitOk;
  ApiReply reply;
  std::unique_ptr<rapidjson::Document> doc;  // the reply parsed; null for an empty body
  SecretString text;                          // the doc's strings point into it
};

// Sends one request; on an error status prints Vault's message and sets the exit code.
Sent Send(const Context& c, const std::string& method, const std::string& path, const std::string& query,
          std::string_view body) {
  Sent s;
  Result<std::unique_ptr<ApiClient>> api = ConnectApi(c);
  if (!api.ok()) {
    s.exit = Fail(api.status());
    return s;
  }
  Result<ApiReply> reply = (*api)->Call(method, path, query, body);
  if (!reply.ok()) {
    s.exit = Fail(reply.status());
    return s;
  }
  s.reply = std::move(*reply);
  if (Status st = ReplyStatus(s.reply, path); !st.ok()) {
    s.exit = Fail(st);
    return s;
  }
  if (!s.reply.body.empty()) {
    Result<rapidjson::Document> doc = jsonread::ParseInPlace(s.reply.body.view(), "reply", &s.text);
    if (doc.ok()) s.doc = std::make_unique<rapidjson::Document>(std::move(*doc));
  }
  return s;
}

SecretString JsonOf(const rapidjson::Value& v) {
  util::SecretBuffer out;
  rapidjson::Writer<util::SecretBuffer> w(out);
  v.Accept(w);
  return out.Take();
}

// Vault's table of a secret: lease_id, lease_duration and lease_renewable
// when there is a lease, then the data's keys ("<nil>" for null).
void PrintSecret(const rapidjson::Document& doc, Format format) {
  if (format == Format::kJson) return PrintObject(JsonOf(doc).view(), format);
  util::SecretBuffer rows;
  rapidjson::Writer<util::SecretBuffer> w(rows);
  w.StartObject();
  const std::string lease = doc.HasMember("lease_id") && doc["lease_id"].IsString() ? doc["lease_id"].GetString() : "";
  if (!lease.empty()) {
    w.Key("lease_id");
    w.String(lease.c_str());
    w.Key("lease_duration");
    const std::string d = FormatTtl(std::chrono::seconds(doc["lease_duration"].GetInt64()));
    w.String(d.c_str());
    w.Key("lease_renewable");
    w.Bool(doc["renewable"].GetBool());
  }
  for (const char* part : {"data", "auth"}) {
    if (!doc.HasMember(part) || !doc[part].IsObject()) continue;
    for (const auto& m : doc[part].GetObject()) {
      w.Key(m.name.GetString(), m.name.GetStringLength());
      if (m.value.IsNull()) {
        w.String("<nil>");
      } else {
        m.value.Accept(w);
      }
    }
  }
  w.EndObject();
  PrintObject(rows.view(), format);
}

// A reply that may be 204 (Success! message) or carry a secret.
int Finish(const Context& c, const Sent& s, const std::string& success) {
  if (s.exit != kExitOk) return s.exit;
  if (s.doc && s.doc->IsObject()) {
    PrintSecret(*s.doc, c.format);
  } else {
    PrintSuccess(success, c.format);
  }
  return kExitOk;
}

int Keys(const Context& c, const Sent& s) {
  if (s.exit != kExitOk) return s.exit;
  if (!s.doc || !s.doc->HasMember("data") || !(*s.doc)["data"].HasMember("keys")) {
    return Fail(Status::NotFound("no keys in the reply"));
  }
  PrintList(JsonOf((*s.doc)["data"]["keys"]).view(), "", c.format);
  return kExitOk;
}

}  // namespace

int Read(Context& c) {
  const std::string path = Trimmed(c.operands[0]);
  Result<std::string> query = QueryOf({c.operands.begin() + 1, c.operands.end()});
  if (!query.ok()) return Fail(query.status());
  Sent s = Send(c, "GET", path, *query, "");
  if (s.exit != kExitOk) return s.exit;
  if (!s.doc) return Fail(Status::NotFound("no value found at " + path));
  PrintSecret(*s.doc, c.format);
  return kExitOk;
}

int Write(Context& c) {
  const std::string path = Trimmed(c.operands[0]);
  Result<SecretString> body = FieldsToJson({c.operands.begin() + 1, c.operands.end()});
  if (!body.ok()) return Fail(body.status());
  return Finish(c, Send(c, "PUT", path, "", body->view()), "Data written to: " + path);
}

int List(Context& c) {
  const std::string path = Trimmed(c.operands[0]);
  Sent s = Send(c, "LIST", path, "", "");
  if (s.exit == kExitOk && !s.doc) return Fail(Status::NotFound("no value found at " + path + "/"));
  return Keys(c, s);
}

int Delete(Context& c) {
  const std::string path = Trimmed(c.operands[0]);
  return Finish(c, Send(c, "DELETE", path, "", ""), "Data deleted (if it existed) at: " + path);
}

int SecretsEnable(Context& c) {
  const std::string type = c.operands[0];
  const std::string path = Trimmed(c.Flag("path").empty() ? type : c.Flag("path"));
  rapidjson::Document body(rapidjson::kObjectType);
  auto& a = body.GetAllocator();
  body.AddMember("type", rapidjson::Value(type.c_str(), a), a);
  if (!c.Flag("description").empty()) body.AddMember("description", rapidjson::Value(c.Flag("description").c_str(), a), a);
  Sent s = Send(c, "POST", "sys/mounts/" + path, "", JsonOf(body).view());
  if (s.exit != kExitOk) return s.exit;
  PrintSuccess("Enabled the " + type + " secrets engine at: " + path + "/", c.format);
  return kExitOk;
}

int SecretsDisable(Context& c) {
  const std::string path = Trimmed(c.operands[0]);
  Sent s = Send(c, "DELETE", "sys/mounts/" + path, "", "");
  if (s.exit != kExitOk) return s.exit;
  PrintSuccess("Disabled the secrets engine (if it existed) at: " + path + "/", c.format);
  return kExitOk;
}

int SecretsList(Context& c) {
  Sent s = Send(c, "GET", "sys/mounts", "", "");
  if (s.exit != kExitOk) return s.exit;
  const rapidjson::Value& data = (*s.doc)["data"];
  if (c.format == Format::kJson) {
    PrintObject(JsonOf(data).view(), c.format);
    return kExitOk;
  }
  std::printf("%-20s %-6s %-14s %s\n%-20s %-6s %-14s %s\n", "Path", "Type", "Accessor", "Description", "----", "----",
              "--------", "-----------");
  for (const auto& m : data.GetObject()) {
    std::printf("%-20s %-6s %-14s %s\n", m.name.GetString(), m.value["type"].GetString(),
                m.value["accessor"].GetString(), m.value["description"].GetString());
  }
  return kExitOk;
}

int TokenCreate(Context& c) {
  rapidjson::Document body(rapidjson::kObjectType);
  auto& a = body.GetAllocator();
  if (!c.Flag("policy").empty()) body.AddMember("policies", rapidjson::Value(c.Flag("policy").c_str(), a), a);
  if (!c.Flag("ttl").empty()) body.AddMember("ttl", rapidjson::Value(c.Flag("ttl").c_str(), a), a);
  if (!c.Flag("display-name").empty()) {
    body.AddMember("display_name", rapidjson::Value(c.Flag("display-name").c_str(), a), a);
  }
  Sent s = Send(c, "POST", "auth/token/create", "", JsonOf(body).view());
  if (s.exit != kExitOk) return s.exit;
  if (c.format == Format::kJson) {
    PrintObject(JsonOf(*s.doc).view(), c.format);
    return kExitOk;
  }
  const rapidjson::Value& auth = (*s.doc)["auth"];
  util::SecretBuffer rows;
  rapidjson::Writer<util::SecretBuffer> w(rows);
  w.StartObject();
  w.Key("token");
  auth["client_token"].Accept(w);
  w.Key("token_accessor");
  auth["accessor"].Accept(w);
  w.Key("token_duration");
  const std::string d = auth["lease_duration"].GetInt64() == 0 ? "∞" : FormatTtl(std::chrono::seconds(auth["lease_duration"].GetInt64()));
  w.String(d.c_str());
  w.Key("token_renewable");
  auth["renewable"].Accept(w);
  w.Key("token_policies");
  auth["policies"].Accept(w);
  w.EndObject();
  PrintObject(rows.view(), c.format);
  return kExitOk;
}

int TokenLookup(Context& c) {
  if (c.operands.empty()) return Finish(c, Send(c, "GET", "auth/token/lookup-self", "", ""), "");
  rapidjson::Document body(rapidjson::kObjectType);
  body.AddMember("token", rapidjson::Value(c.operands[0].c_str(), body.GetAllocator()), body.GetAllocator());
  return Finish(c, Send(c, "POST", "auth/token/lookup", "", JsonOf(body).view()), "");
}

int TokenRevoke(Context& c) {
  if (c.Switch("self") || c.operands.empty()) {
    return Finish(c, Send(c, "POST", "auth/token/revoke-self", "", ""), "Revoked token (if it existed)");
  }
  rapidjson::Document body(rapidjson::kObjectType);
  body.AddMember("token", rapidjson::Value(c.operands[0].c_str(), body.GetAllocator()), body.GetAllocator());
  return Finish(c, Send(c, "POST", "auth/token/revoke", "", JsonOf(body).view()), "Revoked token (if it existed)");
}

int PolicyWrite(Context& c) {
  bool stdin_used = false;
  Result<SecretString> text = ReadFieldValue("policy", c.operands[1] == "-" ? "-" : "@" + c.operands[1], &stdin_used);
  if (!text.ok()) return Fail(text.status());
  rapidjson::Document body(rapidjson::kObjectType);
  body.AddMember("policy", rapidjson::Value(text->view().data(), static_cast<rapidjson::SizeType>(text->size()),
                                            body.GetAllocator()),
                 body.GetAllocator());
  const std::string name = c.operands[0];
  Sent s = Send(c, "PUT", "sys/policies/acl/" + name, "", JsonOf(body).view());
  if (s.exit != kExitOk) return s.exit;
  PrintSuccess("Uploaded policy: " + name, c.format);
  return kExitOk;
}

// lease lookup / renew / revoke against a server (DYNCREDS_ADDR): the
// lease id names its mount, so no -mount is needed.
int RemoteLease(Context& c, const std::string& verb) {
  const std::string id = Trimmed(c.operands[0]);
  rapidjson::Document body(rapidjson::kObjectType);
  auto& a = body.GetAllocator();
  if (verb == "lookup") {
    body.AddMember("lease_id", rapidjson::Value(id.c_str(), a), a);
    return Finish(c, Send(c, "PUT", "sys/leases/lookup", "", JsonOf(body).view()), "");
  }
  if (verb == "renew") {
    body.AddMember("lease_id", rapidjson::Value(id.c_str(), a), a);
    if (!c.Flag("increment").empty()) body.AddMember("increment", rapidjson::Value(c.Flag("increment").c_str(), a), a);
    return Finish(c, Send(c, "PUT", "sys/leases/renew", "", JsonOf(body).view()), "");
  }
  if (c.Switch("force")) {
    return Finish(c, Send(c, "PUT", "sys/leases/revoke-force/" + id, "", ""), "Force revoked any leases with prefix: " + id);
  }
  if (c.Switch("prefix")) {
    return Finish(c, Send(c, "PUT", "sys/leases/revoke-prefix/" + id, "", ""), "All revocation operations queued successfully!");
  }
  body.AddMember("lease_id", rapidjson::Value(id.c_str(), a), a);
  return Finish(c, Send(c, "PUT", "sys/leases/revoke", "", JsonOf(body).view()), "All revocation operations queued successfully!");
}

}  // namespace dyncreds::tool
