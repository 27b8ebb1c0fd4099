# Ruby's (Onigmo's) answers for cases.json: the first match of each pattern, compiled as Logstash
# compiles grok (Regexp::MULTILINE), as [start, text] or null.
# Usage (Debian's `ruby`): ruby answers.rb > answers.json
require "json"

cases = JSON.parse(File.read(File.join(__dir__, "cases.json")))
answers = cases.map do |pattern, text|
  m = Regexp.new(pattern, Regexp::MULTILINE).match(text)
  m && [m.begin(0), m[0]]
end
puts JSON.generate(cases.zip(answers).map { |(pattern, text), answer| { "pattern" => pattern, "text" => text, "ruby" => answer } })
