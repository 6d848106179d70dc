console.log("packages ok")
