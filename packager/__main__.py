from packager.cli.commands import main

main()
