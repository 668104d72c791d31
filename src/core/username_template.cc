#include "core/username_template.h"

#include "dyncreds/sys/clock.h"

#include <openssl/evp.h>

#include <cctype>
#include <cstdint>
#include <ctime>
#include <optional>
#include <utility>
#include <vector>

#include "util/crypto.h"

namespace dyncreds::core {

const char kDefaultUsernameTemplate[] =
    R"({{ if (eq .Type "STS") }}{{ printf "vault-%s-%s"  (unix_time) (random 20) | truncate 32 }})"
    R"({{ else }}{{ printf "vault-%s-%s-%s" (printf "%s-%s" (.DisplayName) (.PolicyName) | truncate 42) )"
    R"((unix_time) (random 20) | truncate 64 }}{{ end }})";

namespace {

// --- the parsed form ---------------------------------------------------------

struct Command;
using Pipeline = std::vector<Command>;

struct Operand {
  enum Kind { kString, kInt, kField, kFunction, kPipeline } kind = kString;
  std::string text;  // string value, field name or function name
  std::int64_t number = 0;
  std::shared_ptr<Pipeline> sub;
};

struct Command {
  std::vector<Operand> operands;
};

struct Value {
  enum Kind { kString, kInt, kBool } kind = kString;
  std::string s;
  std::int64_t i = 0;
  bool b = false;

  static Value Str(std::string v) { Value x; x.s = std::move(v); return x; }
  static Value Int(std::int64_t v) { Value x; x.kind = kInt; x.i = v; return x; }
  static Value Bool(bool v) { Value x; x.kind = kBool; x.b = v; return x; }
  bool Truthy() const { return kind == kBool ? b : kind == kInt ? i != 0 : !s.empty(); }
  std::string Text() const { return kind == kString ? s : kind == kInt ? std::to_string(i) : (b ? "true" : "false"); }
  bool operator==(const Value& o) const {
    return kind == o.kind && s == o.s && i == o.i && b == o.b;
  }
};

const char* const kFields[] = {"DisplayName", "PolicyName", "RoleName", "Type"};
const char* const kFunctions[] = {"printf", "truncate", "truncate_sha256", "lowercase", "uppercase",
                                  "replace", "sha256", "base64", "random", "unix_time",
                                  "unix_time_millis", "timestamp", "uuid", "eq", "ne", "not",
                                  "and", "or"};

template <typename List>
bool Contains(const List& list, std::string_view name) {
  for (const char* item : list) {
    if (name == item) return true;
  }
  return false;
}

}  // namespace

struct UsernameTemplate::Node {
  enum Kind { kList, kText, kAction, kIf } kind = kList;
  std::string text;
  Pipeline pipeline;                // kAction, and kIf's condition
  std::vector<Node> children;       // kList; kIf's then-branch
  std::vector<Node> else_children;  // kIf
};

namespace {

using Node = UsernameTemplate::Node;

// --- lexing an action's inside ------------------------------------------------

struct Token {
  enum Kind { kIdent, kField, kString, kNumber, kLParen, kRParen, kPipe } kind;
  std::string text;
};

Result<std::vector<Token>> Lex(std::string_view in, const std::string& field) {
  std::vector<Token> out;
  auto error = [&](const std::string& what) {
    return Status::InvalidArgument(field, what + " in action {{" + std::string(in) + "}}");
  };
  for (std::size_t p = 0; p < in.size();) {
    const char c = in[p];
    if (std::isspace(static_cast<unsigned char>(c))) {
      ++p;
    } else if (c == '(' || c == ')' || c == '|') {
      out.push_back({c == '(' ? Token::kLParen : c == ')' ? Token::kRParen : Token::kPipe, ""});
      ++p;
    } else if (c == '"' || c == '`') {
      std::string value;
      std::size_t q = p + 1;
      for (; q < in.size() && in[q] != c; ++q) {
        if (c == '"' && in[q] == '\\' && q + 1 < in.size()) {
          const char e = in[++q];
          value += e == 'n' ? '\n' : e == 't' ? '\t' : e;
        } else {
          value += in[q];
        }
      }
      if (q >= in.size()) return error("unterminated string");
      out.push_back({Token::kString, std::move(value)});
      p = q + 1;
    } else if (std::isdigit(static_cast<unsigned char>(c)) || (c == '-' && p + 1 < in.size() &&
                                                               std::isdigit(static_cast<unsigned char>(in[p + 1])))) {
      std::size_t q = p + 1;
      while (q < in.size() && std::isdigit(static_cast<unsigned char>(in[q]))) ++q;
      out.push_back({Token::kNumber, std::string(in.substr(p, q - p))});
      p = q;
    } else if (c == '.' || std::isalpha(static_cast<unsigned char>(c)) || c == '_') {
      std::size_t q = p + 1;
      while (q < in.size() && (std::isalnum(static_cast<unsigned char>(in[q])) || in[q] == '_')) ++q;
      if (c == '.') {
        out.push_back({Token::kField, std::string(in.substr(p + 1, q - p - 1))});
      } else {
        out.push_back({Token::kIdent, std::string(in.substr(p, q - p))});
      }
      p = q;
    } else {
      return error(std::string("unexpected character '") + c + "'");
    }
  }
  return out;
}

// --- parsing ---------------------------------------------------------------------

// How deep parentheses and {{ if }} blocks may nest: far beyond any real
// template, far below what the recursion over the tree can take
// (fuzz_username_template overflowed the stack without a limit).
constexpr int kMaxNesting = 32;

class Parser {
 public:
  Parser(const std::vector<Token>& tokens, const std::string& field, std::string_view action)
      : tokens_(tokens), field_(field), action_(action) {}

  Result<Pipeline> ParseAll(std::size_t start) {
    pos_ = start;
    Result<Pipeline> pipeline = ParsePipeline();
    if (pipeline.ok() && pos_ != tokens_.size()) return Error("unexpected ')'");
    return pipeline;
  }

 private:
  Status Error(const std::string& what) const {
    return Status::InvalidArgument(field_, what + " in action {{" + std::string(action_) + "}}");
  }

  Result<Pipeline> ParsePipeline() {
    Pipeline pipeline;
    for (;;) {
      Command command;
      while (pos_ < tokens_.size() && tokens_[pos_].kind != Token::kPipe &&
             tokens_[pos_].kind != Token::kRParen) {
        Result<Operand> operand = ParseOperand();
        if (!operand.ok()) return operand.status();
        command.operands.push_back(std::move(*operand));
      }
      if (command.operands.empty()) return Error("missing value in pipeline");
      if (command.operands.size() > 1 && command.operands[0].kind != Operand::kFunction) {
        return Error("can't give arguments to a non-function");
      }
      if (!pipeline.empty() && command.operands[0].kind != Operand::kFunction) {
        return Error("only a function can follow '|'");
      }
      pipeline.push_back(std::move(command));
      if (pos_ < tokens_.size() && tokens_[pos_].kind == Token::kPipe) {
        ++pos_;
        continue;
      }
      return pipeline;
    }
  }

  Result<Operand> ParseOperand() {
    const Token& t = tokens_[pos_++];
    Operand op;
    switch (t.kind) {
      case Token::kString:
        op.kind = Operand::kString;
        op.text = t.text;
        return op;
      case Token::kNumber:
        op.kind = Operand::kInt;
        try {
          op.number = std::stoll(t.text);
        } catch (const std::exception&) {
          return Error("number out of range: " + t.text);
        }
        return op;
      case Token::kField:
        if (!Contains(kFields, t.text)) return Error("unknown field ." + t.text);
        op.kind = Operand::kField;
        op.text = t.text;
        return op;
      case Token::kIdent:
        if (!Contains(kFunctions, t.text)) return Error("unknown function \"" + t.text + "\"");
        op.kind = Operand::kFunction;
        op.text = t.text;
        return op;
      case Token::kLParen: {
        // Parsing, rendering and freeing the tree recurse once per level.
        if (++depth_ > kMaxNesting) return Error("parentheses nested deeper than " + std::to_string(kMaxNesting));
        Result<Pipeline> sub = ParsePipeline();
        --depth_;
        if (!sub.ok()) return sub.status();
        if (pos_ >= tokens_.size() || tokens_[pos_].kind != Token::kRParen) return Error("missing ')'");
        ++pos_;
        op.kind = Operand::kPipeline;
        op.sub = std::make_shared<Pipeline>(std::move(*sub));
        return op;
      }
      default:
        return Error("unexpected '" + std::string(t.kind == Token::kRParen ? ")" : "|") + "'");
    }
  }

  const std::vector<Token>& tokens_;
  int depth_ = 0;  // parentheses open around the operand being parsed
  const std::string& field_;
  std::string_view action_;
  std::size_t pos_ = 0;
};

// Splits the template into text and actions and builds the tree, handling
// {{- / -}} trimming and if/else/end nesting.
class TreeBuilder {
 public:
  explicit TreeBuilder(std::string field) : field_(std::move(field)) {}

  Result<Node> Build(std::string_view text) {
    Node root;
    stack_.push_back(Frame{&root, false});
    std::size_t p = 0;
    bool trim_next = false;
    while (p < text.size()) {
      std::size_t open = text.find("{{", p);
      std::string_view chunk = text.substr(p, open == std::string_view::npos ? std::string_view::npos : open - p);
      if (trim_next) chunk = TrimLeft(chunk);
      if (open == std::string_view::npos) {
        AddText(chunk);
        break;
      }
      std::size_t inner = open + 2;
      if (text.compare(inner, 2, "- ") == 0) {
        chunk = TrimRight(chunk);
        inner += 2;
      }
      AddText(chunk);
      Result<std::size_t> close = FindClose(text, inner);
      if (!close.ok()) return close.status();
      std::string_view action = text.substr(inner, *close - inner);
      trim_next = action.size() >= 2 && action.substr(action.size() - 2) == " -";
      if (trim_next) action.remove_suffix(2);
      Status added = AddAction(action);
      if (!added.ok()) return added;
      p = *close + 2;
    }
    if (stack_.size() != 1) return Status::InvalidArgument(field_, "unexpected end of template: missing {{ end }}");
    return root;
  }

 private:
  struct Frame {
    Node* node;      // the kIf (or the root list)
    bool in_else;
  };

  static std::string_view TrimLeft(std::string_view s) {
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
    return s;
  }
  static std::string_view TrimRight(std::string_view s) {
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
    return s;
  }

  Result<std::size_t> FindClose(std::string_view text, std::size_t from) const {
    char quote = 0;
    for (std::size_t q = from; q + 1 < text.size(); ++q) {
      if (quote) {
        if (text[q] == '\\' && quote == '"') {
          ++q;
        } else if (text[q] == quote) {
          quote = 0;
        }
      } else if (text[q] == '"' || text[q] == '`') {
        quote = text[q];
      } else if (text[q] == '}' && text[q + 1] == '}') {
        return q;
      }
    }
    return Status::InvalidArgument(field_, "unclosed action: missing }}");
  }

  std::vector<Node>& Current() {
    Frame& f = stack_.back();
    if (f.node->kind != Node::kIf) return f.node->children;
    return f.in_else ? f.node->else_children : f.node->children;
  }

  void AddText(std::string_view chunk) {
    if (chunk.empty()) return;
    Node n;
    n.kind = Node::kText;
    n.text = std::string(chunk);
    Current().push_back(std::move(n));
  }

  Status AddAction(std::string_view action) {
    Result<std::vector<Token>> tokens = Lex(action, field_);
    if (!tokens.ok()) return tokens.status();
    if (tokens->empty()) return Status::InvalidArgument(field_, "empty action {{}}");
    const Token& first = (*tokens)[0];
    const bool keyword = first.kind == Token::kIdent;
    if (keyword && first.text == "end") {
      if (stack_.size() == 1 || tokens->size() != 1) return Status::InvalidArgument(field_, "unexpected {{ end }}");
      PopIf();
      return Status();
    }
    if (keyword && first.text == "else") {
      if (stack_.size() == 1 || stack_.back().in_else) return Status::InvalidArgument(field_, "unexpected {{ else }}");
      stack_.back().in_else = true;
      if (tokens->size() == 1) return Status();
      if ((*tokens)[1].kind != Token::kIdent || (*tokens)[1].text != "if") {
        return Status::InvalidArgument(field_, "expected 'if' after 'else'");
      }
      // "else if" opens an if inside the else branch, closed by the same end.
      return OpenIf(*tokens, 2, action, /*chained=*/true);
    }
    if (keyword && first.text == "if") return OpenIf(*tokens, 1, action, /*chained=*/false);
    Result<Pipeline> pipeline = Parser(*tokens, field_, action).ParseAll(0);
    if (!pipeline.ok()) return pipeline.status();
    Node n;
    n.kind = Node::kAction;
    n.pipeline = std::move(*pipeline);
    Current().push_back(std::move(n));
    return Status();
  }

  Status OpenIf(const std::vector<Token>& tokens, std::size_t start, std::string_view action, bool chained) {
    if (start >= tokens.size()) return Status::InvalidArgument(field_, "missing condition in {{ if }}");
    if (stack_.size() > kMaxNesting) {  // rendering and freeing recurse once per level
      return Status::InvalidArgument(field_, "{{ if }} nested deeper than " + std::to_string(kMaxNesting));
    }
    Result<Pipeline> cond = Parser(tokens, field_, action).ParseAll(start);
    if (!cond.ok()) return cond.status();
    Node n;
    n.kind = Node::kIf;
    n.pipeline = std::move(*cond);
    std::vector<Node>& into = Current();
    into.push_back(std::move(n));
    stack_.push_back(Frame{&into.back(), false});
    chained_.push_back(chained);
    return Status();
  }

  // Pops the innermost if, and the ifs an "else if" chain opened with it.
  void PopIf() {
    while (stack_.size() > 1) {
      stack_.pop_back();
      bool chained = chained_.back();
      chained_.pop_back();
      if (!chained) break;
    }
  }

  std::string field_;
  std::vector<Frame> stack_;
  std::vector<bool> chained_;
};

// --- evaluation ---------------------------------------------------------------

class Evaluator {
 public:
  Evaluator(const TemplateData& data, const TemplateEnv& env, const std::string& field)
      : data_(data), env_(env), field_(field) {}

  Status Run(const std::vector<Node>& nodes, std::string* out) {
    for (const Node& n : nodes) {
      if (n.kind == Node::kText) {
        *out += n.text;
      } else if (n.kind == Node::kAction) {
        Result<Value> v = EvalPipeline(n.pipeline);
        if (!v.ok()) return v.status();
        *out += v->Text();
      } else if (n.kind == Node::kIf) {
        Result<Value> cond = EvalPipeline(n.pipeline);
        if (!cond.ok()) return cond.status();
        Status s = Run(cond->Truthy() ? n.children : n.else_children, out);
        if (!s.ok()) return s;
      }
    }
    return Status();
  }

 private:
  Status Error(const std::string& what) const { return Status::InvalidArgument(field_, what); }

  Result<Value> EvalPipeline(const Pipeline& pipeline) {
    std::optional<Value> piped;
    for (const Command& command : pipeline) {
      Result<Value> v = EvalCommand(command, piped);
      if (!v.ok()) return v;
      piped = std::move(*v);
    }
    return *piped;
  }

  Result<Value> EvalOperand(const Operand& op) {
    switch (op.kind) {
      case Operand::kString: return Value::Str(op.text);
      case Operand::kInt: return Value::Int(op.number);
      case Operand::kField:
        if (op.text == "DisplayName") return Value::Str(data_.display_name);
        if (op.text == "PolicyName") return Value::Str(data_.policy_name);
        if (op.text == "RoleName") return Value::Str(data_.role_name);
        return Value::Str(data_.type);
      case Operand::kFunction: return Call(op.text, {});
      case Operand::kPipeline: return EvalPipeline(*op.sub);
    }
    return Error("bad operand");
  }

  Result<Value> EvalCommand(const Command& command, const std::optional<Value>& piped) {
    const Operand& head = command.operands[0];
    if (head.kind != Operand::kFunction) return EvalOperand(head);
    std::vector<Value> args;
    for (std::size_t k = 1; k < command.operands.size(); ++k) {
      Result<Value> v = EvalOperand(command.operands[k]);
      if (!v.ok()) return v;
      args.push_back(std::move(*v));
    }
    if (piped) args.push_back(*piped);
    return Call(head.text, std::move(args));
  }

  Status Arity(const std::string& fn, const std::vector<Value>& args, std::size_t min, std::size_t max) const {
    if (args.size() < min || args.size() > max) {
      return Error("wrong number of arguments for " + fn + ": got " + std::to_string(args.size()));
    }
    return Status();
  }

  Status Want(const std::string& fn, const Value& v, Value::Kind kind) const {
    if (v.kind == kind) return Status();
    return Error("wrong type of argument for " + fn + ": expected " +
                 (kind == Value::kInt ? "an integer" : "a string") + ", got \"" + v.Text() + "\"");
  }

  Result<Value> Call(const std::string& fn, std::vector<Value> args);
  Result<Value> Printf(std::vector<Value> args);

  const TemplateData& data_;
  const TemplateEnv& env_;
  const std::string& field_;
};

std::string GoTimeFormat(std::string_view layout, std::chrono::system_clock::time_point when);
std::string RandomBase62(int n);
std::string RandomUuid();

Result<Value> Evaluator::Call(const std::string& fn, std::vector<Value> args) {
  Status s;
  auto check = [&](std::size_t min, std::size_t max, std::initializer_list<Value::Kind> kinds) {
    s = Arity(fn, args, min, max);
    std::size_t k = 0;
    for (Value::Kind kind : kinds) {
      if (s.ok() && k < args.size()) s = Want(fn, args[k], kind);
      ++k;
    }
    return s.ok();
  };
  using K = Value::Kind;
  if (fn == "printf") return Printf(std::move(args));
  if (fn == "truncate" || fn == "truncate_sha256") {
    if (!check(2, 2, {K::kInt, K::kString})) return s;
    const std::int64_t max = args[0].i;
    const std::string& str = args[1].s;
    const std::int64_t floor = fn == "truncate" ? 0 : 8;
    if (max <= floor) return Error(fn + ": max length must be > " + std::to_string(floor) + " but was " + std::to_string(max));
    if (static_cast<std::int64_t>(str.size()) <= max) return Value::Str(str);
    if (fn == "truncate") return Value::Str(str.substr(0, static_cast<std::size_t>(max)));
    const std::size_t cut = static_cast<std::size_t>(max - 8);
    return Value::Str(str.substr(0, cut) + crypto::Hex(crypto::Sha256Of(str.substr(cut))).substr(0, 8));
  }
  if (fn == "lowercase" || fn == "uppercase") {
    if (!check(1, 1, {K::kString})) return s;
    std::string out = args[0].s;
    for (char& c : out) c = static_cast<char>(fn == "lowercase" ? std::tolower(static_cast<unsigned char>(c)) : std::toupper(static_cast<unsigned char>(c)));
    return Value::Str(std::move(out));
  }
  if (fn == "replace") {
    if (!check(3, 3, {K::kString, K::kString, K::kString})) return s;
    const std::string& find = args[0].s;
    std::string out;
    const std::string& str = args[2].s;
    if (find.empty()) return Value::Str(str);
    for (std::size_t p = 0;;) {
      std::size_t hit = str.find(find, p);
      out.append(str, p, hit == std::string::npos ? std::string::npos : hit - p);
      if (hit == std::string::npos) break;
      out += args[1].s;
      p = hit + find.size();
    }
    return Value::Str(std::move(out));
  }
  if (fn == "sha256") {
    if (!check(1, 1, {K::kString})) return s;
    return Value::Str(crypto::Hex(crypto::Sha256Of(args[0].s)));
  }
  if (fn == "base64") {
    if (!check(1, 1, {K::kString})) return s;
    std::string out(4 * ((args[0].s.size() + 2) / 3) + 1, '\0');
    int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                            reinterpret_cast<const unsigned char*>(args[0].s.data()),
                            static_cast<int>(args[0].s.size()));
    out.resize(static_cast<std::size_t>(n));
    return Value::Str(std::move(out));
  }
  if (fn == "random") {
    if (!check(1, 1, {K::kInt})) return s;
    if (args[0].i <= 0 || args[0].i > 4096) return Error("random: length must be 1..4096, not " + std::to_string(args[0].i));
    return Value::Str(env_.random ? env_.random(static_cast<int>(args[0].i)) : RandomBase62(static_cast<int>(args[0].i)));
  }
  if (fn == "unix_time" || fn == "unix_time_millis") {
    if (!check(0, 0, {})) return s;
    const auto now = env_.now ? env_.now() : Clock::System()->Now();
    const auto since = now.time_since_epoch();
    const auto count = fn == "unix_time" ? std::chrono::duration_cast<std::chrono::seconds>(since).count()
                                         : std::chrono::duration_cast<std::chrono::milliseconds>(since).count();
    return Value::Str(std::to_string(count));
  }
  if (fn == "timestamp") {
    if (!check(1, 1, {K::kString})) return s;
    return Value::Str(GoTimeFormat(args[0].s, env_.now ? env_.now() : Clock::System()->Now()));
  }
  if (fn == "uuid") {
    if (!check(0, 0, {})) return s;
    return Value::Str(env_.uuid ? env_.uuid() : RandomUuid());
  }
  if (fn == "eq" || fn == "ne") {
    if (!check(2, fn == "eq" ? 64 : 2, {})) return s;
    bool any = false;
    for (std::size_t k = 1; k < args.size(); ++k) any = any || args[0] == args[k];
    return Value::Bool(fn == "eq" ? any : !any);
  }
  if (fn == "not") {
    if (!check(1, 1, {})) return s;
    return Value::Bool(!args[0].Truthy());
  }
  // and, or: Go returns the deciding argument.
  if (!check(1, 64, {})) return s;
  for (const Value& v : args) {
    if (v.Truthy() != (fn == "and")) return v;
  }
  return args.back();
}

Result<Value> Evaluator::Printf(std::vector<Value> args) {
  if (args.empty() || args[0].kind != Value::kString) return Error("printf: the first argument must be a format string");
  const std::string& format = args[0].s;
  std::string out;
  std::size_t next = 1;
  for (std::size_t p = 0; p < format.size(); ++p) {
    if (format[p] != '%') {
      out += format[p];
      continue;
    }
    if (++p >= format.size()) return Error("printf: format ends with %");
    const char verb = format[p];
    if (verb == '%') {
      out += '%';
      continue;
    }
    if (next >= args.size()) return Error("printf: missing argument for %" + std::string(1, verb));
    const Value& v = args[next++];
    if (verb == 's' || verb == 'v') {
      out += v.Text();
    } else if (verb == 'd') {
      if (v.kind != Value::kInt) return Error("printf: %d wants an integer, got \"" + v.Text() + "\"");
      out += std::to_string(v.i);
    } else if (verb == 'q') {
      out += '"' + v.Text() + '"';
    } else {
      return Error(std::string("printf: unsupported verb %") + verb);
    }
  }
  if (next != args.size()) return Error("printf: too many arguments for the format");
  return Value::Str(std::move(out));
}

// Go's reference-time layout ("2006-01-02T15:04:05Z07:00"), rendered in UTC.
std::string GoTimeFormat(std::string_view layout, std::chrono::system_clock::time_point when) {
  const std::time_t t = std::chrono::system_clock::to_time_t(when);
  std::tm tm{};
  gmtime_r(&t, &tm);
  const auto frac_ns = std::chrono::duration_cast<std::chrono::nanoseconds>(
                           when.time_since_epoch() % std::chrono::seconds(1)).count();
  static const char* const kMonths[] = {"January", "February", "March", "April", "May", "June", "July",
                                        "August", "September", "October", "November", "December"};
  static const char* const kDays[] = {"Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"};
  auto two = [](int v) { return (v < 10 ? "0" : "") + std::to_string(v); };
  const int hour12 = tm.tm_hour % 12 == 0 ? 12 : tm.tm_hour % 12;
  const std::pair<const char*, std::string> chunks[] = {
      {"January", kMonths[tm.tm_mon]}, {"Monday", kDays[tm.tm_wday]},
      {"2006", std::to_string(tm.tm_year + 1900)}, {"Jan", std::string(kMonths[tm.tm_mon], 3)},
      {"Mon", std::string(kDays[tm.tm_wday], 3)}, {"MST", "UTC"}, {"Z07:00", "Z"}, {"Z0700", "Z"},
      {"-07:00", "+00:00"}, {"-0700", "+0000"}, {".000000000", "." + std::to_string(1000000000 + frac_ns).substr(1)},
      {".000000", "." + std::to_string(1000000000 + frac_ns).substr(1, 6)},
      {".000", "." + std::to_string(1000000000 + frac_ns).substr(1, 3)},
      {"002", (tm.tm_yday < 99 ? (tm.tm_yday < 9 ? "00" : "0") : "") + std::to_string(tm.tm_yday + 1)},
      {"01", two(tm.tm_mon + 1)}, {"02", two(tm.tm_mday)}, {"03", two(hour12)}, {"04", two(tm.tm_min)},
      {"05", two(tm.tm_sec)}, {"06", two(tm.tm_year % 100)}, {"15", two(tm.tm_hour)},
      {"PM", tm.tm_hour < 12 ? "AM" : "PM"}, {"pm", tm.tm_hour < 12 ? "am" : "pm"},
      {"_2", (tm.tm_mday < 10 ? " " : "") + std::to_string(tm.tm_mday)},
      {"1", std::to_string(tm.tm_mon + 1)}, {"2", std::to_string(tm.tm_mday)},
      {"3", std::to_string(hour12)}, {"4", std::to_string(tm.tm_min)}, {"5", std::to_string(tm.tm_sec)},
  };
  std::string out;
  for (std::size_t p = 0; p < layout.size();) {
    bool matched = false;
    for (const auto& [chunk, value] : chunks) {
      const std::string_view c(chunk);
      if (layout.compare(p, c.size(), c) == 0) {
        out += value;
        p += c.size();
        matched = true;
        break;
      }
    }
    if (!matched) out += layout[p++];
  }
  return out;
}

std::string RandomBase62(int n) {
  static const char kAlphabet[] = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
  std::string out;
  out.reserve(static_cast<std::size_t>(n));
  std::uint8_t buf[64];
  while (static_cast<int>(out.size()) < n) {
    crypto::RandomBytes(buf, sizeof buf);
    for (std::uint8_t b : buf) {
      if (b < 248 && static_cast<int>(out.size()) < n) out += kAlphabet[b % 62];  // unbiased
    }
  }
  return out;
}

std::string RandomUuid() {
  std::uint8_t b[16];
  crypto::RandomBytes(b, sizeof b);
  b[6] = static_cast<std::uint8_t>((b[6] & 0x0F) | 0x40);
  b[8] = static_cast<std::uint8_t>((b[8] & 0x3F) | 0x80);
  std::string hex;
  crypto::AppendHex(b, sizeof b, &hex);
  return hex.substr(0, 8) + "-" + hex.substr(8, 4) + "-" + hex.substr(12, 4) + "-" + hex.substr(16, 4) + "-" + hex.substr(20);
}

}  // namespace

Result<UsernameTemplate> UsernameTemplate::Parse(std::string_view text, std::string_view field) {
  UsernameTemplate t;
  t.text_ = std::string(text);
  t.field_ = std::string(field);
  if (text.empty()) return Status::InvalidArgument(t.field_, "the template is empty");
  Result<Node> root = TreeBuilder(t.field_).Build(text);
  if (!root.ok()) return root.status();
  t.root_ = std::make_shared<const Node>(std::move(*root));
  return t;
}

Result<std::string> UsernameTemplate::Render(const TemplateData& data, const TemplateEnv& env) const {
  std::string out;
  Status s = Evaluator(data, env, field_).Run(root_->children, &out);
  if (!s.ok()) return s;
  return out;
}

std::string NormalizeTemplateInput(std::string_view value) {
  std::string out(value);
  for (char& c : out) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && std::string_view("+=,.@_-").find(c) == std::string_view::npos) {
      c = '_';
    }
  }
  return out;
}

}  // namespace dyncreds::core
