# Turns logstash-patterns-core's rspec suite (spec/patterns/*_spec.rb) into spec_vectors.json.
#
# Usage (Debian's `ruby` package, no gems): ruby spec_to_vectors.rb > spec_vectors.json
#
# It runs the spec files unchanged against a stand-in for RSpec and for Logstash's grok filter
# that records instead of matching: every grok call becomes a vector (ECS mode, grok expression,
# message, filter options), every `expect(...)` an expectation (a path into the event, a
# matcher, its argument). Ruby evaluates everything else (lets, heredocs, loops, `if
# ecs_compatibility?` branches), so the expectations are the ones the suite checks in that mode.
# tests/unit/test_grok_spec_suite.py replays them through logpipe's grok stage.
require "json"

HERE = File.expand_path(__dir__)
COMMIT = "7f94275ec8212f7f0aa6eb4ac5dbf3d70cd05cac"

# A value of the event under test: the vector it came from and the operations applied to it.
class Rec
  attr_reader :vector, :ops

  def initialize(vector, ops = [])
    @vector = vector
    @ops = ops
  end

  def with(*op) = Rec.new(@vector, @ops + [op])
  def [](key) = with("[]", key)
  def get(ref) = with("get", ref)
  def to_hash = @ops.empty? ? with("to_hash") : self
  def keys = with("keys")
  def to_i = with("to_i")
  def to_s = with("to_s")
  def first = with("[]", 0)
  def last = with(@maybe_array ? "last_if_array" : "last")

  # `x = x.last if x.is_a?(Array)`: unknown until replay, so `last` becomes "last if a list".
  def is_a?(klass)
    return super unless klass == Array

    @maybe_array = true
  end

  def or_empty = with("or_empty")
end

BOTH = %w[legacy ecs-v1].freeze

# Every vector, keyed by what it runs: mode, expression, message and filter options.
module Vectors
  @list = []
  @index = {}

  def self.add(mode, expression, message, options = {})
    key = [mode, expression, message, options]
    @index[key] ||= begin
      @list << { "spec" => Example.current.group.file, "modes" => mode ? [mode] : BOTH,
                 "expression" => expression, "message" => message, "options" => options,
                 "expectations" => [] }
      @list.size - 1
    end
  end

  # A spec without pattern modes ran in the grok filter's default of its time, legacy: there an
  # expectation on fields the expression does not name itself holds in legacy mode only.
  def self.expect(vector, expectation)
    entry = @list[vector]
    if entry["modes"] == BOTH && naming_dependent?(entry["expression"], expectation)
      expectation = expectation.merge("modes" => ["legacy"])
    end
    entry["expectations"] << expectation
  end

  def self.naming_dependent?(expression, expectation)
    return false if expectation["matcher"] == "pass"
    return false if expectation["path"] == [["[]", "tags"]]

    !expression.match?(/%\{\w+:[^}]+\}|\(\?<\w+>/)
  end

  def self.list = @list.reject { |v| v["expectations"].empty? }
end

# A matcher as data: its name and JSON-able argument.
Matcher = Struct.new(:name, :arg)

# hash_including(...) inside an expected value.
class HashIncluding
  def initialize(hash) = @hash = hash
  def to_json(*args) = { "$hash_including" => @hash }.to_json(*args)
end

module LogStash
  module Filters
    # Stand-in for the grok filter: `filter` names the vector the event is replayed as.
    class Grok
      def initialize(options)
        @expression = options.fetch("match")[1]
        @options = options.reject { |k, _| %w[match ecs_compatibility].include?(k) }
        @mode = options["ecs_compatibility"]
      end

      def register; end

      def filter(event)
        event.bind(Vectors.add(@mode || Example.current.pattern_mode, @expression, event.message,
                               @options))
      end
    end
  end
end

# What build_event returns: a message waiting for `grok.filter` to give it a vector.
class PendingEvent < Rec
  attr_reader :message

  def initialize(message)
    super(nil)
    @message = message
  end

  def bind(vector) = @vector = vector
end

# An example being recorded; each group subclasses it and its lets are methods (so `super()`).
class Example
  class << self
    attr_accessor :current, :group
  end

  attr_reader :pending_reason

  def initialize(description)
    @description = description
    @memo = {}
  end

  def self.let(name, &block)
    raw = Module.new { define_method(name, &block) }
    include raw
    define_method(name) { @memo.fetch(name) { @memo[name] = super() } }
  end

  def run(block)
    Example.current = self
    instance_exec(&block)
  rescue NotImplementedError
    raise unless @pending_reason
  ensure
    Example.current = nil
  end

  def subject = group.implicit_subject
  def group = self.class.group
  def pattern_mode = group.mode
  def ecs_compatibility = { "legacy" => "disabled", "ecs-v1" => "v1", nil => nil }.fetch(pattern_mode)
  def ecs_compatibility? = { "legacy" => false, "ecs-v1" => true, nil => nil }.fetch(pattern_mode)
  def description = group.full_description + " " + @description.to_s
  def pending(reason = "pending") = @pending_reason = reason
  def skip(reason = "skip") = @pending_reason = reason

  def build_grok(label, exact = false)
    grok = LogStash::Filters::Grok.new("match" => ["message", exact ? "^%{#{label}}$" : "%{#{label}}"])
    grok.register
    grok
  end

  def build_event(message) = PendingEvent.new(message)

  def grok_match_event(label, message, exact = false)
    event = build_event(message)
    build_grok(label, exact).filter(event)
    event
  end

  def grok_match(label, message, exact = false) = grok_match_event(label, message, exact).to_hash
  def grok_exact_match(label, message) = grok_match(label, message, true)
  def expect(actual) = Expectation.new(self, actual)
  def should(matcher) = expect(subject).to(matcher)
  def should_not(matcher) = expect(subject).not_to(matcher)
  def pass = Matcher.new("pass", nil)
  # the helper's `match` matcher, unless a group defines `let(:match)`
  def match(*args) = args.empty? ? super() : Matcher.new("match", args.first)
  def include(*args) = Matcher.new("include", args)
  def eq(value) = Matcher.new("eq", value)
  def eql(value) = Matcher.new("eql", value)
  def be(value) = Matcher.new("equal", value)
  def be_nil = Matcher.new("equal", nil)
  def be_a(klass) = Matcher.new("be_a", klass.name)
  def start_with(value) = Matcher.new("start_with", value)
  def end_with(value) = Matcher.new("end_with", value)
  def have_key(key) = Matcher.new("have_key", key)
  def hash_including(hash) = HashIncluding.new(hash)

  def record(actual, matcher, negated)
    if matcher.name == "match" # the helper's `match`: `actual` is a pattern name, arg a message
      actual = grok_match(actual, matcher.arg)
      matcher = pass
    end
    raise "expectation on a plain value in #{description}: #{actual.inspect}" unless actual.is_a?(Rec)

    Vectors.expect(actual.vector, { "example" => description.strip, "path" => actual.ops,
                                    "matcher" => matcher.name, "arg" => matcher.arg,
                                    "negated" => negated, "pending" => !@pending_reason.nil? })
  end
end

# The object `expect` returns.
class Expectation
  def initialize(example, actual)
    @example = example
    @actual = actual
  end

  def to(matcher) = @example.record(@actual, matcher, false)
  def not_to(matcher) = @example.record(@actual, matcher, true)
  alias to_not not_to
end

# An example group: its Example subclass (lets), examples, children, the ECS mode it runs in.
class Group
  attr_reader :parent, :args, :mode, :klass, :file

  def initialize(parent, args, mode)
    @parent = parent
    @args = args
    @mode = mode
    @file = parent ? parent.file : $spec_file
    @klass = Class.new(parent&.klass || Example)
    @klass.group = self
    @examples = []
    @children = []
  end

  def implicit_subject = args.first
  def full_description = [parent&.full_description, args.join(" ")].compact.join(" ").strip
  def let(name, &block) = klass.let(name, &block)
  def subject(&block) = klass.let(:subject, &block)
  def it(description = nil, &block) = @examples << [description, block]
  alias specify it

  def xit(*) = nil

  def describe(*args, &block)
    child = Group.new(self, args, mode)
    @children << child
    child.instance_eval(&block)
  end
  alias context describe

  def include_examples(name, namespaces, opts)
    raise "unknown shared examples #{name}" unless name == "top-level namespaces"

    it("only uses namespaces #{namespaces.inspect}") do
      if instance_exec(&opts[:if])
        Vectors.expect(subject.vector, { "example" => description.strip, "path" => subject.ops,
                                         "matcher" => "namespaces", "arg" => namespaces,
                                         "negated" => false, "pending" => false })
      end
    end
  end

  def run
    @examples.each { |description, block| klass.new(description).run(block) }
    @children.each(&:run)
  end
end

# A group for describe_pattern: `pattern`, `message` and a grok result as subject.
class PatternGroup < Group
  def initialize(name, mode)
    super(nil, ["#{name}#{mode ? " (#{mode})" : ''}"], mode)
    let(:pattern) { name }
    let(:message) { raise "let(:message) { ... } is missing" }
    let(:event) { grok_match_event(pattern, message) }
    let(:grok) { event.to_hash }
    let(:grok_result) { grok }
    let(:subject) { grok }
  end
end

ROOTS = []

def describe(*args, &block)
  group = Group.new(nil, args, nil)
  ROOTS << group
  group.instance_eval(&block)
end

def describe_pattern(name, pattern_modes = [nil], &block)
  pattern_modes.each do |mode|
    group = PatternGroup.new(name, mode)
    ROOTS << group
    group.instance_eval(&block)
  end
end

def require(name)
  super unless %w[spec_helper logstash/patterns/core].include?(name)
end

Dir[File.join(HERE, "spec", "patterns", "*_spec.rb")].sort.each do |file|
  source = File.read(file)
  # `(x || {})` defaults a missing hash; the recorder cannot see `||`, so it says so explicitly.
  nil while source.gsub!(/\((?<e>(?:[^()\s|]|\([^()\s|]+\))+) \|\| \{\}\)/, "(\\k<e>.or_empty)")
  $spec_file = File.basename(file)
  eval(source, TOPLEVEL_BINDING, file) # rubocop:disable Security/Eval
end

ROOTS.each(&:run)
HEADER = {
  "source" => "logstash-plugins/logstash-patterns-core, commit #{COMMIT} (v4.3.1), spec/patterns/*_spec.rb; Apache-2.0, see LICENSE and NOTICE",
  "generator" => "tests/data/logstash-patterns-core/spec_to_vectors.rb (runs the specs against a recorder)",
  "vector" => "spec: the spec file; modes: ECS modes it runs in (legacy = ecs_compatibility disabled, ecs-v1 = v1); expression: the grok filter's match for `message`; message: the input; options: other grok filter options; expectations: what the spec checks",
  "expectation" => "path: operations from the event to the value checked (to_hash: the event without @metadata, [] key or index, get field-reference, keys, to_i, to_s, last, last_if_array, or_empty); matcher and arg: the RSpec matcher; negated: not_to; pending: after `pending` (RSpec expects it to fail; not counted); modes: where it holds when not in every mode of its vector",
  "translated" => [
    "describe_pattern(NAME, modes) runs `%{NAME}` (grok_exact_match: `^%{NAME}$`) over LogStash::Event.new(\"message\" => message) (so @timestamp and @version \"1\" too) with ecs_compatibility from the mode; grok_match(pattern, message) and expect(pattern).to match(message) likewise",
    "a spec without modes ran in the grok filter's default of its time (legacy, Logstash 7): its vectors run in both modes, and an expectation on fields that the expression does not name itself (e.g. SYSLOGLINE's `program`) only in legacy",
    "`pass` (the helper's matcher): the event has no `tags`; LogStash::Filters::Grok.new + filter(event): a vector with that expression and the remaining options (timeout_millis)",
    "include/eq/eql/be/be_nil/be_a/start_with/end_with/have_key/hash_including keep RSpec's meaning (include on a hash: keys present and values equal as RSpec's values_match?; eql: same types)",
    "include_examples 'top-level namespaces': the event's top-level keys other than @timestamp, @version and message are among the listed ones",
    "xit examples are skipped; examples after `pending` are recorded with pending=true; `(x || {})` is recorded as x.or_empty",
  ],
}.freeze

puts JSON.pretty_generate(HEADER.merge("vectors" => Vectors.list))
