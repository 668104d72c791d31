#include "aws/query_request.h"

#include "util/uri.h"

namespace dyncreds::aws {

QueryRequest::QueryRequest(std::string action, std::string api_version) : action_(action) {
  params_.emplace_back("Action", std::move(action));
  params_.emplace_back("Version", std::move(api_version));
}

QueryRequest& QueryRequest::Add(std::string name, std::string value) {
  params_.emplace_back(std::move(name), std::move(value));
  return *this;
}

QueryRequest& QueryRequest::AddList(const std::string& name,
                                    const std::vector<std::string>& values) {
  for (std::size_t i = 0; i < values.size(); ++i) {
    Add(name + ".member." + std::to_string(i + 1), values[i]);
  }
  return *this;
}

QueryRequest& QueryRequest::AddStructList(const std::string& name, const std::string& member,
                                          const std::vector<std::string>& values) {
  for (std::size_t i = 0; i < values.size(); ++i) {
    Add(name + ".member." + std::to_string(i + 1) + "." + member, values[i]);
  }
  return *this;
}

QueryRequest& QueryRequest::AddTags(const std::string& name,
                                    const std::vector<std::pair<std::string, std::string>>& tags) {
  for (std::size_t i = 0; i < tags.size(); ++i) {
    const std::string prefix = name + ".member." + std::to_string(i + 1);
    Add(prefix + ".Key", tags[i].first);
    Add(prefix + ".Value", tags[i].second);
  }
  return *this;
}

const std::string* QueryRequest::Find(const std::string& name) const {
  for (const auto& p : params_) {
    if (p.first == name) return &p.second;
  }
  return nullptr;
}

std::string QueryRequest::FormBody() const {
  std::string body;
  std::size_t estimate = 0;
  for (const auto& p : params_) estimate += p.first.size() + p.second.size() + 2;
  body.reserve(estimate + estimate / 4);
  for (const auto& p : params_) {
    if (!body.empty()) body.push_back('&');
    uri::AppendFormEncoded(p.first, &body);
    body.push_back('=');
    uri::AppendFormEncoded(p.second, &body);
  }
  return body;
}

}  // namespace dyncreds::aws
