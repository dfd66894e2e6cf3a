// An aligned text table for people: columns sized to their widest cell (counting UTF-8
// characters, so "Nära vård" lines up), numbers right-aligned.
#ifndef GRANTLEDGER_CLI_TABLE_H_
#define GRANTLEDGER_CLI_TABLE_H_

#include <ostream>
#include <string>
#include <vector>

namespace grantledger {

class Table {
 public:
  // `right_aligned[i]` aligns column i to the right (amounts); the header is the first row.
  Table(std::vector<std::string> header, std::vector<bool> right_aligned);
  void AddRow(std::vector<std::string> cells);
  // A horizontal rule before the next row (e.g. before a total).
  void AddRule();
  void Print(std::ostream& out) const;

 private:
  std::vector<std::vector<std::string>> rows_;  // an empty row is a rule
  std::vector<bool> right_aligned_;
};

// Characters (UTF-8 code points) in `text`.
size_t DisplayWidth(const std::string& text);

}  // namespace grantledger

#endif  // GRANTLEDGER_CLI_TABLE_H_
