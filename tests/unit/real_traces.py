# ruff: noqa: E501  (traces are quoted as posted)
"""Stack traces as people pasted them into public bug reports, with where each comes from.

Each entry: (language, source URL, expected error.type, expected error.cause.type or None, text).
Texts are quoted from the reports as posted (a trailing frame cut off by the report's excerpt is
left out); they are test data for the stacktrace stage, nothing more.
"""

from __future__ import annotations

REAL_TRACES: list[tuple[str, str, str, str | None, str]] = [
    # --- Java -------------------------------------------------------------------------------
    (
        "java",
        "https://github.com/kaz-Anova/StackNet/issues/77",
        "java.lang.reflect.InvocationTargetException",
        "java.lang.NullPointerException",
        'Exception in thread "main" java.lang.reflect.InvocationTargetException\n'
        "\tat sun.reflect.NativeMethodAccessorImpl.invoke0(Native Method)\n"
        "\tat sun.reflect.NativeMethodAccessorImpl.invoke(NativeMethodAccessorImpl.java:62)\n"
        "\tat sun.reflect.DelegatingMethodAccessorImpl.invoke(DelegatingMethodAccessorImpl.java:43)\n"
        "\tat java.lang.reflect.Method.invoke(Method.java:498)\n"
        "\tat org.eclipse.jdt.internal.jarinjarloader.JarRsrcLoader.main(JarRsrcLoader.java:58)\n"
        "Caused by: java.lang.NullPointerException\n"
        "\tat RO2.getro2(RO2.java:60)\n"
        "\tat CIRI_Full2.main(CIRI_Full2.java:272)\n"
        "\t... 5 more\n",
    ),
    (
        "java",
        "https://github.com/HaxeFoundation/haxe/issues/8322",
        "java.lang.NullPointerException",
        None,
        'Exception in thread "main" java.lang.NullPointerException\n'
        "        at haxe.CallStack.exceptionStack(Unknown Source)\n"
        "        at haxe.root.Main.main(Unknown Source)\n"
        "        at haxe.root.Main.main(Unknown Source)\n",
    ),
    (
        "java",
        "https://github.com/chenfromsz/correct/issues/17",
        "org.springframework.beans.factory.BeanCreationException",
        None,
        "Caused by: org.springframework.beans.factory.BeanCreationException: Error creating bean "
        "with name 'org.springframework.boot.autoconfigure.web.ErrorMvcAutoConfiguration': "
        "Injection of autowired dependencies failed; nested exception is "
        "org.springframework.beans.factory.BeanCreationException: Could not autowire field: "
        "private org.springframework.boot.autoconfigure.web.ServerProperties "
        "org.springframework.boot.autoconfigure.web.ErrorMvcAutoConfiguration.properties; nested "
        "exception is org.springframework.beans.factory.BeanCreationException: Error creating "
        "bean with name 'serverProperties' defined in class path resource "
        "[org/springframework/boot/autoconfigure/web/ServerPropertiesAutoConfiguration.class]: "
        "Initialization of bean failed; nested exception is javax.validation.ValidationException: "
        "Unable to instantiate Configuration.\n"
        "\tat org.springframework.beans.factory.annotation.AutowiredAnnotationBeanPostProcessor."
        "postProcessPropertyValues(AutowiredAnnotationBeanPostProcessor.java:334) "
        "~[spring-beans-4.2.4.RELEASE.jar:4.2.4.RELEASE]\n"
        "\tat org.springframework.beans.factory.support.AbstractAutowireCapableBeanFactory."
        "populateBean(AbstractAutowireCapableBeanFactory.java:1214) "
        "~[spring-beans-4.2.4.RELEASE.jar:4.2.4.RELEASE]\n",
    ),
    (
        "java",
        "https://github.com/salesforce-marketingcloud/FuelSDK-Java/issues/66",
        "java.lang.IllegalStateException",
        None,
        "Caused by: java.lang.IllegalStateException: Already connected\n"
        "        at sun.net.www.protocol.http.HttpURLConnection.getRequestProperties"
        "(HttpURLConnection.java:3142)\n"
        "        at sun.net.www.protocol.https.HttpsURLConnectionImpl.getRequestProperties"
        "(HttpsURLConnectionImpl.java:358)\n"
        "        at com.exacttarget.fuelsdk.ETRestConnection.sendRequest(ETRestConnection.java:278)\n"
        "        at com.exacttarget.fuelsdk.ETRestConnection.sendRequest(ETRestConnection.java:223)\n"
        "        at com.exacttarget.fuelsdk.ETRestConnection.post(ETRestConnection.java:135)\n"
        "        at com.exacttarget.fuelsdk.ETClient.requestToken(ETClient.java:330)\n"
        "        at com.exacttarget.fuelsdk.ETClient.requestToken(ETClient.java:292)\n"
        "        at com.exacttarget.fuelsdk.ETClient.<init>(ETClient.java:156)\n"
        "        at com.exacttarget.fuelsdk.ETClient.<init>(ETClient.java:117)\n",
    ),
    (
        "java",
        "https://github.com/loki4j/loki-logback-appender/issues/314",
        "java.lang.IllegalStateException",
        None,
        "2025-07-08 14:01:52.974 -ERROR 1 --- [           main]  o.s.boot.SpringApplication"
        "               Line - [821] : Application run failed\n"
        "java.lang.IllegalStateException: java.lang.IllegalStateException: Logback configuration "
        "error detected: \n"
        "ERROR in com.github.loki4j.client.pipeline.AsyncBufferPipeline@4ae61210 - Error while "
        "sending Batch #68e924983c9 (424 bytes) to Loki (http://127.0.0.1:3100/loki/api/v1/push) "
        "org.apache.http.conn.HttpHostConnectException: Connect to 10.11.11.84:3100 "
        "[/10.11.11.84] failed: Connection refused (Connection refused)\n"
        "\tat org.springframework.boot.context.logging.LoggingApplicationListener.initializeSystem"
        "(LoggingApplicationListener.java:344)\n"
        "\n"
        "\tat org.springframework.boot.context.logging.LoggingApplicationListener.initialize"
        "(LoggingApplicationListener.java:298)\n",
    ),
    # --- Python -----------------------------------------------------------------------------
    (
        "python",
        "https://github.com/Almenon/AREPL-backend/issues/23",
        "NameError",
        "Exception",
        "Traceback (most recent call last):\n"
        "Exception\n"
        "\n"
        "During handling of the above exception, another exception occurred:\n"
        "\n"
        "Traceback (most recent call last):\n"
        '  File "C:\\Users\\almenon\\.vscode\\extensions\\almenon.arepl-0.0.9\\node_modules\\'
        'arepl-backend\\python\\pythonEvaluator.py", line 177, in exec_input\n'
        "    exec(codeToExec, evalLocals)\n"
        "  line 7, in <module>\n"
        "NameError: name 'fah' is not defined\n",
    ),
    (
        "python",
        "https://github.com/Rudd-O/ledgerhelpers/pull/27",
        "ValueError",
        None,
        "Traceback (most recent call last):\n"
        '  File "/usr/lib/python3/dist-packages/ledgerhelpers/programs/addtrans.py", line 149, '
        "in journal_load_failed\n"
        "    traceback.print_last()\n"
        '  File "/usr/lib/python3.10/traceback.py", line 189, in print_last\n'
        '    raise ValueError("no last exception")\n'
        "ValueError: no last exception\n",
    ),
    (
        "python",
        "https://github.com/zengfu94/MicrosoftRewards/issues/43",
        "ConnectionError",
        None,
        "[14:42:02] Traceback (most recent call last):\n"
        '  File "C:\\Temp\\MicrosoftRewards\\MicrosoftRewards-master\\bing.py", line 416, in '
        "search_account\n"
        "    sesh.get(url, verify=False)\n"
        '  File "D:\\Python27\\lib\\site-packages\\requests\\sessions.py", line 521, in get\n'
        "    return self.request('GET', url, **kwargs)\n"
        '  File "D:\\Python27\\lib\\site-packages\\requests\\adapters.py", line 508, in send\n'
        "    raise ConnectionError(e, request=request)\n"
        "ConnectionError: HTTPSConnectionPool(host='bing.comhttps', port=443): Max retries "
        "exceeded with url: //www2.bing.com/search?q=Polish+metal+band+charged+&FORM=HPNN01\n",
    ),
    (
        "python",
        "https://github.com/davidhalter/jedi/issues/1101",
        "ValueError",
        None,
        "Traceback (most recent call last):\n"
        '  File "C:\\Users\\lenovo\\AppData\\Local\\Programs\\Python\\Python35\\lib\\site-packages'
        '\\absl\\flags\\_flag.py", line 166, in _parse\n'
        "    return self.parser.parse(argument)\n"
        '  File "C:\\Users\\lenovo\\AppData\\Local\\Programs\\Python\\Python35\\lib\\site-packages'
        '\\absl\\flags\\_argument_parser.py", line 292, in parse\n'
        "    raise ValueError('Non-boolean argument to boolean flag', argument)\n"
        "ValueError: ('Non-boolean argument to boolean flag', 128)\n",
    ),
    # --- Go ---------------------------------------------------------------------------------
    (
        "go",
        "https://github.com/cmu440/intro-to-go/issues/1",
        "panic",
        None,
        "panic: runtime error: invalid memory address or nil pointer dereference\n"
        "[signal 0xb code=0x1 addr=0x1 pc=0x8048f30]\n"
        "\n"
        "goroutine 1 [running]:\n"
        "main.main()\n"
        "        /home/simon/course/intro-to-go/12.go:25 +0x330\n"
        "\n"
        "goroutine 6 [chan send]:\n"
        "main.chanSender(0x18346040, 0x80f5f10, 0x3)\n"
        "        /home/simon/course/intro-to-go/12.go:36 +0x1a4\n"
        "created by main.main\n"
        "        /home/simon/course/intro-to-go/12.go:20 +0x140\n"
        "exit status 2\n",
    ),
    (
        "go",
        "https://github.com/bcicen/grmon/issues/8",
        "panic",
        None,
        "panic: runtime error: invalid memory address or nil pointer dereference\n"
        "[signal SIGSEGV: segmentation violation code=0x1 addr=0x28 pc=0x1385f7c]\n"
        "\n"
        "goroutine 1 [running]:\n"
        "main.ReadRoutines(0xc000228000, 0xa1, 0x200, 0x10, 0xff, 0x0, 0x0, 0x0)\n"
        "\t/Users/me/go/src/github.com/bcicen/grmon/parse.go:76 +0x19c\n"
        "main.poll(0x105a2f0, 0x0, 0xc0000f9ec0, 0xc0001ae000, 0x0)\n"
        "\t/Users/me/go/src/github.com/bcicen/grmon/client.go:38 +0x17c\n"
        "main.Refresh()\n"
        "\t/Users/me/go/src/github.com/bcicen/grmon/main.go:38 +0x26\n"
        "main.main()\n"
        "\t/Users/me/go/src/github.com/bcicen/grmon/main.go:202 +0xe7\n",
    ),
    (
        "go",
        "https://github.com/maxcnunes/gaper/issues/9",
        "panic",
        None,
        "[gaper] Building program\n"
        "[gaper] Starting program\n"
        "[gaper] Building program\n"
        "panic: runtime error: invalid memory address or nil pointer dereference\n"
        "[signal SIGSEGV: segmentation violation code=0x1 addr=0xa0 pc=0x4d0ca6]\n"
        "\n"
        "goroutine 154 [running]:\n"
        "os/exec.(*Cmd).Wait(0x0, 0x5bc683, 0xc42000a060)\n"
        "      /usr/local/go/src/os/exec/exec.go:453 +0x26\n"
        "github.com/maxcnunes/gaper.(*runner).runBin.func1(0xc4200b2000)\n"
        "      /go/src/github.com/maxcnunes/gaper/runner.go:159 +0x2f\n"
        "created by github.com/maxcnunes/gaper.(*runner).runBin\n"
        "      /go/src/github.com/maxcnunes/gaper/runner.go:158 +0x25d\n"
        "make: *** [Makefile:18: start] Error 2\n",
    ),
    (
        "go",
        "https://github.com/neoql/btlet/issues/11",
        "fatal error",
        None,
        "Start crawl ...\n"
        "fatal error: all goroutines are asleep - deadlock!\n"
        "\n"
        "goroutine 1 [chan receive]:\n"
        "main.main()\n"
        "        /.../.../example/btsniffer/btsniffer.go:21 +0x36d\n",
    ),
    (
        "go",
        "https://github.com/golang/tour/issues/1052",
        "fatal error",
        None,
        "fatal error: all goroutines are asleep - deadlock!\n"
        "\n"
        "goroutine 1 [chan receive]:\n"
        "main.main()\n"
        "\t/tmp/sandbox915641541/prog.go:9 +0xfd\n",
    ),
    (
        "go",
        "https://github.com/tillson/git-hound/issues/73",
        "fatal error",
        None,
        "fatal error: all goroutines are asleep - deadlock!\n"
        "\n"
        "goroutine 1 [chan send, 1 minutes]:\n"
        "github.com/tillson/git-hound/internal/app.(*WorkerPool).Submit(...)\n"
        "        /Users/tillson/Documents/git-hound/internal/app/worker_pool.go:77\n"
        "github.com/tillson/git-hound/internal/app.SearchWithAPI({0xc000156030, 0x1, 0xa?})\n"
        "        /Users/tillson/Documents/git-hound/internal/app/search_api.go:137 +0xa65\n"
        "main.main()\n"
        "        /Users/tillson/Documents/git-hound/main.go:10 +0xf\n",
    ),
    # --- Node.js ----------------------------------------------------------------------------
    (
        "node",
        "https://github.com/raxjs/miniapp/issues/319",
        "TypeError",
        None,
        "C:\\Users\\HP\\IdeaProjects\\web-framework\\node_modules\\jsx-compiler\\src\\modules\\"
        "code.js:472\n"
        "  if (exportComponentPath.parentPath.isExportDefaultDeclaration()) {\n"
        "                          ^\n"
        "\n"
        "TypeError: Cannot read properties of undefined (reading 'parentPath')\n"
        "    at getReplacer (C:\\Users\\HP\\IdeaProjects\\web-framework\\node_modules\\jsx-compiler"
        "\\src\\modules\\code.js:472:27)\n"
        "    at Object.parse (C:\\Users\\HP\\IdeaProjects\\web-framework\\node_modules\\"
        "jsx-compiler\\src\\modules\\code.js:83:24)\n"
        "    at Object.<anonymous> (C:\\Users\\HP\\IdeaProjects\\web-framework\\index.js:99:13)\n"
        "    at Module._compile (node:internal/modules/cjs/loader:1275:14)\n"
        "    at Module._extensions..js (node:internal/modules/cjs/loader:1329:10)\n"
        "    at Module.load (node:internal/modules/cjs/loader:1133:32)\n"
        "    at Module._load (node:internal/modules/cjs/loader:972:12)\n"
        "\n"
        "Node.js v19.8.1\n",
    ),
    (
        "node",
        "https://github.com/tloncorp/tlon-apps/issues/2657",
        "TypeError",
        None,
        "TypeError: Cannot read properties of undefined (reading 'NODE_ENV')\n"
        "    at F4e (https://wanweb-figsum.tlon.network/apps/grid/assets/index.78c07bfe.js:251:44843)\n"
        "    at At (https://wanweb-figsum.tlon.network/apps/grid/assets/index.78c07bfe.js:251:44416)\n"
        "    at https://wanweb-figsum.tlon.network/apps/grid/assets/index.78c07bfe.js:251:73064\n"
        "    at e.unstable_runWithPriority (https://wanweb-figsum.tlon.network/apps/grid/assets/"
        "index.78c07bfe.js:74:3993)\n",
    ),
    (
        "node",
        "https://github.com/nodejs/node-v0.x-archive/issues/9216",
        "Error",
        None,
        "There was an internal error in Node's debugger. Please report this bug.\n"
        "connect ECONNREFUSED\n"
        "Error: connect ECONNREFUSED\n"
        "    at exports._errnoException (util.js:746:11)\n"
        "    at TCPConnectWrap.afterConnect [as oncomplete] (net.js:983:19)\n",
    ),
    (
        "node",
        "https://github.com/mysqljs/mysql/issues/874",
        "Error",
        None,
        "error connecting: Error: connect ECONNREFUSED\n"
        "    at errnoException (net.js:901:11)\n"
        "    at Object.afterConnect [as oncomplete] (net.js:892:19)\n"
        "    --------------------\n"
        "    at Protocol._enqueue (/Users/wellingguzman/GitHub/Beers/beers/node_modules/mysql/lib/"
        "protocol/Protocol.js:135:48)\n"
        "    at Object.<anonymous> (/Users/wellingguzman/GitHub/Beers/beers/server.js:16:12)\n"
        "    at Module._compile (module.js:456:26)\n",
    ),
    (
        "node",
        "https://github.com/node-red/node-red/issues/114",
        "Error",
        None,
        "10 Dec 22:55:19 - [red] Uncaught Exception:\n"
        "10 Dec 22:55:19 - Error: connect ECONNREFUSED\n"
        "    at errnoException (net.js:901:11)\n"
        "    at Object.afterConnect [as oncomplete] (net.js:892:19)\n",
    ),
    # --- .NET -------------------------------------------------------------------------------
    (
        "dotnet",
        "https://github.com/dotnet/runtime/issues/41301",
        "System.AggregateException",
        "System.Exception",
        "25/08/2020 00:44:15   | Unexpected error! :\n"
        "System.AggregateException: One or more errors occurred. (Exception of type "
        "'System.Exception' was thrown.)\n"
        " ---> System.Exception: Exception of type 'System.Exception' was thrown.\n"
        "   --- End of inner exception stack trace ---\n"
        "   at System.Threading.Tasks.Task.ThrowIfExceptional(Boolean includeTaskCanceledExceptions)\n"
        "   at System.Threading.Tasks.Task`1.GetResultCore(Boolean waitCompletionNotification)\n"
        "   at System.Threading.Tasks.Task`1.get_Result()\n",
    ),
    (
        "dotnet",
        "https://github.com/jaredhaight/PSAttack/issues/27",
        "System.IO.FileNotFoundException",
        None,
        "Unhandled Exception: System.IO.FileNotFoundException: Could not find file "
        "'C:\\Users\\#553m134ty4-jnr\\Desktop\\PowerOPS-1.0-beta\\modules.json'.\n"
        "   at System.IO.__Error.WinIOError(Int32 errorCode, String maybeFullPath)\n"
        "   at System.IO.FileStream.Init(String path, FileMode mode, FileAccess access, Int32 "
        "rights, Boolean useRights, FileShare share, Int32 bufferSize, FileOptions options, "
        "SECURITY_ATTRIBUTES secAttrs, String msgPath, Boolean bFromProxy, Boolean useLongPath, "
        "Boolean checkHost)\n"
        "   at System.IO.StreamReader..ctor(String path)\n"
        "   at PSAttackBuildTool.Program.Main(String[] args)\n",
    ),
    (
        "dotnet",
        "https://github.com/builtbybel/Bloatynosy/issues/63",
        "System.IO.FileNotFoundException",
        None,
        "************** Exception Text **************\n"
        "System.IO.FileNotFoundException: Could not find file "
        "'C:\\Program Files\\Builtbybel\\BloatyNosy\\app\\bloaty.txt'.\n"
        "File name: 'C:\\Program Files\\Builtbybel\\BloatyNosy\\app\\bloaty.txt'\n"
        "   at System.IO.__Error.WinIOError(Int32 errorCode, String maybeFullPath)\n"
        "   at System.IO.StreamReader..ctor(String path, Encoding encoding)\n"
        "   at System.IO.File.InternalReadAllLines(String path, Encoding encoding)\n",
    ),
    (
        "dotnet",
        "https://github.com/mxgmn/MarkovJunior/issues/16",
        "System.IO.FileNotFoundException",
        None,
        "Unhandled exception. System.IO.FileNotFoundException: Could not find file "
        "'git\\MarkovJunior\\bin\\Debug\\resources\\palette.xml'.\n"
        "File name: 'git\\MarkovJunior\\bin\\Debug\\resources\\palette.xml'\n"
        "   at Microsoft.Win32.SafeHandles.SafeFileHandle.CreateFile(String fullPath, FileMode "
        "mode, FileAccess access, FileShare share, FileOptions options)\n"
        "   at System.IO.FileStream..ctor(String path, FileMode mode, FileAccess access,FileShare "
        "share, Int32 bufferSize)\n"
        "   at System.Xml.XmlDownloadManager.GetStream(Uri uri, ICredentials credentials, "
        "IWebProxy proxy)\n",
    ),
    (
        "dotnet",
        "https://github.com/Jackett/Jackett/issues/1471",
        None,  # Mono frames with no header line in the excerpt: a trace, type unknown
        None,
        "  at System.Runtime.CompilerServices.TaskAwaiter.HandleNonSuccessAndDebuggerNotification "
        "(System.Threading.Tasks.Task task) [0x00028] in <a07d6bf484a54da2861691df910339b1>:0 \n"
        "  at System.Runtime.CompilerServices.TaskAwaiter.ValidateEnd (System.Threading.Tasks.Task "
        "task) [0x00008] in <a07d6bf484a54da2861691df910339b1>:0 \n"
        "--- End of stack trace from previous location where exception was thrown ---\n"
        "  at System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw () [0x0000c] in "
        "<a07d6bf484a54da2861691df910339b1>:0 \n",
    ),
    # --- Ruby -------------------------------------------------------------------------------
    (
        "ruby",
        "https://github.com/enilsen16/Eefgilm/issues/54",
        "NoMethodError",
        None,
        "/Users/Erik/.gem/ruby/2.1.2/gems/eefgilm-1.1.2/lib/eefgilm/gemfile.rb:46:in `block in "
        "extract_to_array_of_lines': undefined method `[]' for nil:NilClass (NoMethodError)\n"
        "    from /Users/Erik/.gem/ruby/2.1.2/gems/eefgilm-1.1.2/lib/eefgilm/gemfile.rb:36:in "
        "`each'\n"
        "    from /Users/Erik/.gem/ruby/2.1.2/gems/eefgilm-1.1.2/lib/eefgilm/gemfile.rb:36:in "
        "`extract_to_array_of_lines'\n"
        "    from /Users/Erik/.gem/ruby/2.1.2/gems/eefgilm-1.1.2/bin/eefgilm:4:in "
        "`<top (required)>'\n"
        "    from /Users/Erik/.gem/ruby/2.1.2/bin/eefgilm:23:in `load'\n"
        "    from /Users/Erik/.gem/ruby/2.1.2/bin/eefgilm:23:in `<main>'\n",
    ),
    (
        "ruby",
        "https://github.com/ahmednasir91/eb-tail/issues/1",
        "LoadError",
        None,
        "/usr/lib/ruby/2.3.0/rubygems/core_ext/kernel_require.rb:55:in `require': cannot load "
        "such file -- eb-tail (LoadError)\n"
        "\tfrom /usr/lib/ruby/2.3.0/rubygems/core_ext/kernel_require.rb:55:in `require'\n"
        "\tfrom ./eb-tail:2:in `<main>'\n",
    ),
    (
        "ruby",
        "https://github.com/rubygems/bundler/issues/3778",
        "LoadError",
        None,
        "/usr/local/lib/ruby/2.2.0/rubygems/core_ext/kernel_require.rb:54:in `require': cannot "
        "load such file -- md5 (LoadError)\n"
        "\tfrom /usr/local/lib/ruby/2.2.0/rubygems/core_ext/kernel_require.rb:54:in `require'\n"
        "\tfrom /usr/bin/whatweb:55:in `<main>\n",
    ),
    (
        "ruby",
        "https://github.com/ruby/chkbuild/issues/28",
        "LoadError",
        None,
        "/usr/share/rubygems/rubygems/core_ext/kernel_require.rb:54:in `require': cannot load "
        "such file -- util (LoadError)\n"
        "    from /usr/share/rubygems/rubygems/core_ext/kernel_require.rb:54:in `require'\n"
        "    from /usr/share/rubygems/rubygems/core_ext/kernel_require.rb:54:in `require'\n"
        "    from /chkbuild/chkbuild.rb:53:in `<top (required)>'\n"
        "    from start-build:37:in `<main>'\n",
    ),
    (
        "ruby",
        "https://github.com/ttscoff/doing/issues/151",
        "LoadError",
        None,
        "Traceback (most recent call last):\n"
        "        4: from /usr/local/bin/doing:23:in `<main>'\n"
        "        3: from /usr/local/bin/doing:23:in `load'\n"
        "        2: from /var/lib/gems/2.7.0/gems/doing-2.1.54/bin/doing:6:in `<top (required)>'\n"
        "        1: from /usr/lib/ruby/2.7.0/rubygems/core_ext/kernel_require.rb:92:in `require'\n"
        "/usr/lib/ruby/2.7.0/rubygems/core_ext/kernel_require.rb:92:in `require': cannot load "
        "such file -- doing/help_monkey_patch (LoadError)\n",
    ),
    (
        "ruby",
        "https://github.com/pirj/tor-privoxy/issues/4",
        "LoadError",
        None,
        "LoadError: cannot load such file -- tor-privoxy\n"
        "    from /home/tristan/.rvm/gems/ruby-2.1.1/gems/activesupport-4.0.4/lib/active_support/"
        "dependencies.rb:229:in`require'\n"
        "    from /home/tristan/.rvm/gems/ruby-2.1.1/gems/activesupport-4.0.4/lib/active_support/"
        "dependencies.rb:229:in `block in require'\n"
        "    from /home/tristan/.rvm/gems/ruby-2.1.1/gems/activesupport-4.0.4/lib/active_support/"
        "dependencies.rb:214:in`load_dependency'\n"
        "    from (irb):1\n"
        "    from bin/rails:4:in `require'\n"
        "    from bin/rails:4:in`<main>'\n",
    ),
]
