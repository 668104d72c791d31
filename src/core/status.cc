#include "dyncreds/status.h"

namespace dyncreds {

struct Status::Rep {
  ErrorCode code = ErrorCode::kInternal;
  std::string message;
  std::string field;
  std::optional<AwsErrorDetails> aws;
};

namespace {
const std::string& EmptyString() {
  static const std::string* const kEmpty = new std::string();
  return *kEmpty;
}
}  // namespace

const char* ErrorCodeName(ErrorCode code) {
  switch (code) {
    case ErrorCode::kOk: return "ok";
    case ErrorCode::kInvalidArgument: return "invalid_argument";
    case ErrorCode::kNotFound: return "not_found";
    case ErrorCode::kConflict: return "conflict";
    case ErrorCode::kPermissionDenied: return "permission_denied";
    case ErrorCode::kThrottled: return "throttled";
    case ErrorCode::kAwsError: return "aws_error";
    case ErrorCode::kTransport: return "transport";
    case ErrorCode::kTimeout: return "timeout";
    case ErrorCode::kMalformedResponse: return "malformed_response";
    case ErrorCode::kStore: return "store";
    case ErrorCode::kEncryptionKey: return "encryption_key";
    case ErrorCode::kUnavailable: return "unavailable";
    case ErrorCode::kInternal: return "internal";
  }
  return "unknown";
}

bool MayHaveTakenEffect(const Status& failure) {
  return failure.aws() == nullptr || failure.aws()->http_status >= 500;
}

Status::~Status() { delete rep_; }

Status::Status(Status&& other) noexcept : rep_(other.rep_) { other.rep_ = nullptr; }

Status& Status::operator=(Status&& other) noexcept {
  if (this != &other) {
    delete rep_;
    rep_ = other.rep_;
    other.rep_ = nullptr;
  }
  return *this;
}

Status::Status(const Status& other) : rep_(other.rep_ ? new Rep(*other.rep_) : nullptr) {}

Status& Status::operator=(const Status& other) {
  if (this != &other) {
    Rep* copy = other.rep_ ? new Rep(*other.rep_) : nullptr;
    delete rep_;
    rep_ = copy;
  }
  return *this;
}

Status Status::Make(ErrorCode code, std::string message) {
  if (code == ErrorCode::kOk) return Status();
  Rep* rep = new Rep();
  rep->code = code;
  rep->message = std::move(message);
  return Status(rep);
}

Status Status::InvalidArgument(std::string field, std::string message) {
  Status s = Make(ErrorCode::kInvalidArgument, std::move(message));
  s.rep_->field = std::move(field);
  return s;
}
Status Status::NotFound(std::string m) { return Make(ErrorCode::kNotFound, std::move(m)); }
Status Status::Conflict(std::string m) { return Make(ErrorCode::kConflict, std::move(m)); }
Status Status::Transport(std::string m) { return Make(ErrorCode::kTransport, std::move(m)); }
Status Status::Timeout(std::string m) { return Make(ErrorCode::kTimeout, std::move(m)); }
Status Status::MalformedResponse(std::string m) {
  return Make(ErrorCode::kMalformedResponse, std::move(m));
}
Status Status::Store(std::string m) { return Make(ErrorCode::kStore, std::move(m)); }
Status Status::EncryptionKey(std::string m) {
  return Make(ErrorCode::kEncryptionKey, std::move(m));
}
Status Status::Unavailable(std::string m) { return Make(ErrorCode::kUnavailable, std::move(m)); }
Status Status::Internal(std::string m) { return Make(ErrorCode::kInternal, std::move(m)); }

Status Status::FromAws(ErrorCode code, std::string message, AwsErrorDetails details) {
  Status s = Make(code == ErrorCode::kOk ? ErrorCode::kAwsError : code, std::move(message));
  s.rep_->aws = std::move(details);
  return s;
}

ErrorCode Status::code() const noexcept { return rep_ ? rep_->code : ErrorCode::kOk; }
const std::string& Status::message() const noexcept {
  return rep_ ? rep_->message : EmptyString();
}
const std::string& Status::field() const noexcept { return rep_ ? rep_->field : EmptyString(); }
const AwsErrorDetails* Status::aws() const noexcept {
  return rep_ && rep_->aws ? &*rep_->aws : nullptr;
}

Status Status::WithContext(const std::string& context) const {
  Status copy(*this);
  if (copy.rep_) copy.rep_->message = context + ": " + copy.rep_->message;
  return copy;
}

std::string Status::ToString() const {
  if (ok()) return "ok";
  std::string out = ErrorCodeName(rep_->code);
  out += ": ";
  if (!rep_->field.empty()) out += rep_->field + ": ";
  out += rep_->message;
  if (rep_->aws) {
    const AwsErrorDetails& a = *rep_->aws;
    if (!a.code.empty()) out += ": " + a.code;
    if (!a.message.empty()) out += ": " + a.message;
    out += " (HTTP " + std::to_string(a.http_status);
    if (!a.request_id.empty()) out += ", request id " + a.request_id;
    out += ")";
  }
  return out;
}

}  // namespace dyncreds
